// How the simulators' /_sim control APIs validate bodies and query strings: a zod schema gives the
// parsed value or a ready 400 reply naming every offending field.
import type { z } from 'zod';
import { JSON_TYPE, type Reply } from './http-reply';

/** "field: message; other.field: message" — one line naming every offending field. */
export function describeIssues(error: z.ZodError): {
  message: string;
  issues: { path: string; message: string }[];
} {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  return { message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues };
}

/** Distinguishes a ready error reply from parsed data in `validate`'s result. */
class ReplyMarker implements Reply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType = JSON_TYPE,
  ) {}
}

export function isReply(value: unknown): value is Reply {
  return value instanceof ReplyMarker;
}

/** 400 `{"error":"validation","message":"field: message","issues":[…]}`. */
export function validationError(field: string, message: string): Reply {
  return new ReplyMarker(
    400,
    JSON.stringify({
      error: 'validation',
      message: `${field}: ${message}`,
      issues: [{ path: field, message }],
    }),
  );
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | Reply {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const described = describeIssues(parsed.error);
  return new ReplyMarker(400, JSON.stringify({ error: 'validation', ...described }));
}
