import type { z } from 'zod';
import type { ConfigIssue } from './types';

export type PathSegment = string | number;

/**
 * Renders a path the way a client reads its own JSON: keys joined with `.` exactly as written (so the
 * dotted key `event.poller.configuration` appears as-is), array indices as `[n]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let rendered = '';
  for (const segment of segments) {
    if (typeof segment === 'number') rendered += `[${segment}]`;
    else rendered += rendered === '' ? segment : `.${segment}`;
  }
  return rendered;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value, 60))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const expectedWords: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  object: 'a JSON object',
  array: 'an array',
  record: 'a JSON object',
};

/** A problem relative to the value being parsed; whoever knows where that value sits roots it. */
export interface RelativeIssue {
  path: PathSegment[];
  message: string;
}

/** zod's issues, re-worded for people; paths relative to the parsed value. */
export function relativeZodIssues(issues: readonly z.core.$ZodIssue[]): RelativeIssue[] {
  return issues.flatMap((issue): RelativeIssue[] => {
    const path = issue.path.map(toSegment);
    if (issue.code === 'invalid_type') {
      const expected = expectedWords[issue.expected] ?? issue.expected;
      const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
      return [{ path, message: `must be ${expected}${got}` }];
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
    }
    return [{ path, message: issue.message }];
  });
}

export function rootIssues(issues: readonly RelativeIssue[], prefix: readonly PathSegment[]): ConfigIssue[] {
  return issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }));
}

function toSegment(key: PropertyKey): PathSegment {
  return typeof key === 'number' ? key : String(key);
}

/** Errors and warnings gathered while walking one body; the walk never stops at the first error. */
export class IssueCollector {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  error(path: readonly PathSegment[], message: string): void {
    this.errors.push({ path: formatPath(path), message });
  }

  warn(path: readonly PathSegment[], message: string): void {
    this.warnings.push({ path: formatPath(path), message });
  }

  addErrors(issues: readonly ConfigIssue[]): void {
    this.errors.push(...issues);
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }
}

/** The closest of `candidates` to `written` (case-insensitive, edit distance ≤ 3), for "did you mean". */
export function closestMatch(written: string, candidates: readonly string[]): string | undefined {
  const lower = written.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

export function didYouMean(written: string, candidates: readonly string[]): string {
  const match = closestMatch(written, candidates);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
