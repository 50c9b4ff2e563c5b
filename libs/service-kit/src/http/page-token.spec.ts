import { z } from 'zod';
import { RequestValidationError } from './errors';
import { pageTokenCodec } from './page-token';

describe('pageTokenCodec', () => {
  const codec = pageTokenCodec(z.tuple([z.string().regex(/^\d+$/), z.string().max(5)]), {
    summary: 'not ours',
    message: 'unknown page token',
  });

  it('round-trips a position through an opaque base64url token', () => {
    const token = codec.encode(['42', 'abc']);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(token)).toEqual(['42', 'abc']);
  });

  it.each(['%%%', Buffer.from('{not json').toString('base64url'), codec.encode(['x', 'abc'])])(
    'refuses a forged token %s with a 400 naming nextPage',
    (token) => {
      const refusal = (() => {
        try {
          codec.decode(token);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(RequestValidationError);
      expect((refusal as RequestValidationError).errors).toEqual([
        { path: 'nextPage', message: 'unknown page token' },
      ]);
    },
  );
});
