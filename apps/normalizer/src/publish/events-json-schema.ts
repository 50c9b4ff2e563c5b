import { standardEventSchema } from '@pollcast/contracts';
import { z } from 'zod';

/** The JSON Schema (draft 2020-12) of a `pollcast.events.v1` value, generated from the zod contract so
 * the two cannot drift; committed as docs/events.schema.json. Input mode: no `additionalProperties: false`,
 * so a consumer validating with it keeps working when v1 gains an optional field. */
export function eventsJsonSchema(): Record<string, unknown> {
  // 'any' for the one custom type, the provider record, whose schema its metadata gives; the committed
  // file is compared with this output (events-json-schema.spec.ts), so nothing else can turn into {}.
  const generated = z.toJSONSchema(standardEventSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'Pollcast standardized event (value of pollcast.events.v1)',
    description:
      'One logical change of one provider object. Kafka headers carry the CloudEvents 1.0 attributes ' +
      '(binary mode: ce_id = eventId, ce_source = /instances/{instanceId}, ce_type = ' +
      'pollcast.{objectType}.{created|updated|deleted}). See docs/events.md.',
    ...rest,
  };
}

/** The committed text: two-space JSON with a final newline (what prettier leaves alone). */
export function eventsJsonSchemaText(): string {
  return `${JSON.stringify(eventsJsonSchema(), null, 2)}\n`;
}
