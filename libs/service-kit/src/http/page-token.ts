import type { z } from 'zod';
import { RequestValidationError } from './errors';

/**
 * Opaque next-page tokens (`Elements-Next-Page-Token`, sent back as `nextPage`): the position of a page's
 * last row as base64url JSON. On the way back `schema` checks it, so a forged token never reaches SQL
 * with a value PostgreSQL refuses: it is a 400 naming `nextPage`.
 */
export function pageTokenCodec<S extends z.ZodType>(
  schema: S,
  refusal: { summary: string; message: string },
) {
  return {
    encode: (position: z.input<S>): string => Buffer.from(JSON.stringify(position)).toString('base64url'),
    decode(token: string): z.output<S> {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = schema.safeParse(decoded);
      if (parsed.success) return parsed.data;
      throw new RequestValidationError(refusal.summary, [{ path: 'nextPage', message: refusal.message }]);
    },
  };
}
