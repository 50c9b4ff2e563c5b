import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { RawChange } from '@pollcast/contracts';
import { buildEvent } from '../normalize/build-event';
import { eventsJsonSchema, eventsJsonSchemaText } from './events-json-schema';

const SCHEMA_FILE = resolve(__dirname, '../../../../docs/events.schema.json');

describe('docs/events.schema.json', () => {
  // Compared as JSON, so prettier may format the file. To regenerate:
  // POLLCAST_WRITE_EVENTS_SCHEMA=1 npx jest apps/normalizer/src/publish --selectProjects unit
  // && npx prettier --write docs/events.schema.json
  it('is what the zod contract generates', () => {
    if (process.env['POLLCAST_WRITE_EVENTS_SCHEMA'] === '1')
      writeFileSync(SCHEMA_FILE, eventsJsonSchemaText());
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(eventsJsonSchema());
  });

  it('accepts the events the normalizer builds and refuses a broken one', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(eventsJsonSchema());
    const change: RawChange = {
      instanceId: 'inst-1',
      organizationId: 'org-1',
      elementKey: 'maximizer',
      resource: 'contacts',
      objectId: 'a',
      record: { Key: 'a', Nested: { list: [1, null, 'x'] } },
      pollId: 'poll-1',
      window: { from: '2024-01-15T10:00:00Z' },
      polledAt: '2024-01-15T10:05:01Z',
      page: 0,
      createdCheckTolerance: 10,
      filterByUpdatedDate: true,
    };
    const facts = { eventId: 'id', dateMs: Date.parse('2024-01-15T10:01:00Z') };
    for (const event of [
      buildEvent(change, { ...facts, eventType: 'CREATED', dateError: undefined }, Date.now()),
      buildEvent(change, { ...facts, eventType: 'UPDATED', dateError: 'LastModifyDate: bad' }, Date.now()),
    ]) {
      expect(validate(event) ? 'valid' : validate.errors).toBe('valid');
    }
    expect(
      validate({
        ...buildEvent(change, { ...facts, eventType: 'CREATED', dateError: undefined }, 1),
        op: 'x',
      }),
    ).toBe(false);
  });
});
