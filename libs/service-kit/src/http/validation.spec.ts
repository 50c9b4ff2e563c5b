import type { ArgumentMetadata } from '@nestjs/common';
import { z } from 'zod';
import { RequestValidationError } from './errors';
import { validateInput, ZodValidationPipe } from './validation';

const schema = z.object({
  pageSize: z.coerce.number().int().max(10).default(5),
  tags: z.array(z.string()).optional(),
});
const asBody: ArgumentMetadata = { type: 'body' };
const asQuery: ArgumentMetadata = { type: 'query' };

function refusal(run: () => unknown): RequestValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestValidationError) return error;
    throw error;
  }
  throw new Error('expected a RequestValidationError');
}

describe('ZodValidationPipe: the one zod-to-400 conversion', () => {
  it('returns the parsed value, a missing body or query read as {}', () => {
    expect(new ZodValidationPipe(schema).transform({ pageSize: '7' }, asQuery)).toEqual({ pageSize: 7 });
    expect(new ZodValidationPipe(schema).transform(undefined, asBody)).toEqual({ pageSize: 5 });
  });

  it('names every problem by its path, the location when the whole value is wrong', () => {
    const error = refusal(() =>
      new ZodValidationPipe(schema).transform({ pageSize: 11, tags: ['a', 1] }, asQuery),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors.map((problem) => problem.path)).toEqual(['pageSize', 'tags.1']);
    expect(error.message).toMatch(/^Invalid query: pageSize: .+; tags\.1: /);
    expect(refusal(() => validateInput(schema, 'text', 'body')).errors).toEqual([
      { path: '(body)', message: expect.any(String) },
    ]);
  });
});
