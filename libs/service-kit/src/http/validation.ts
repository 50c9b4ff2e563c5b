import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { RequestValidationError, type ErrorItem } from './errors';

/** Where a value came from, as a 400 names it: `(body)` / `(query)` when the whole value is wrong. */
export type InputLocation = 'body' | 'query' | 'param';

/**
 * The one zod-to-400 conversion of every service: parses `value` with `schema`, or throws a
 * RequestValidationError naming every problem by its JSON path (the parameter name for a query),
 * with the message `Invalid <where>: <path>: <problem>; …`. A missing body or query is read as `{}`,
 * so a required field is reported by name rather than as a missing object.
 */
export function validateInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: InputLocation,
): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'param' ? value : {}));
  if (result.success) return result.data;
  const errors: ErrorItem[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || `(${where})`,
    message: issue.message,
  }));
  throw new RequestValidationError(
    `Invalid ${where}: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
    errors,
  );
}

/**
 * The one validation pipe: `@Body(new ZodValidationPipe(schema))`, `@Query(new ZodValidationPipe(schema))`.
 * Pipes run after the guards, so authentication (401) and the rate limit (429) come first, and before
 * the handler, so a bad input is a 400 whether or not the instance it names exists.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const where: InputLocation =
      metadata.type === 'query' ? 'query' : metadata.type === 'param' ? 'param' : 'body';
    return validateInput(this.schema, value, where);
  }
}
