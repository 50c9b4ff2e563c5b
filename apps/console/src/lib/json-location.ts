// Where a JSON.parse failure is, as a 1-based line and column, so the code view can mark the line.
// Engines word the error differently: V8 says "at position N" and, in newer versions, "(line L column C)";
// Firefox says "at line L column C". Anything else falls back to line 1.

export interface JsonProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export function lineAndColumnAt(source: string, position: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, Math.min(position, source.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

export function locateJsonError(source: string, error: unknown): JsonProblem {
  const message = error instanceof Error ? error.message : String(error);
  const lineColumn = /line (\d+) column (\d+)/i.exec(message);
  if (lineColumn?.[1] !== undefined && lineColumn[2] !== undefined) {
    return { message, line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  }
  const position = /position (\d+)/i.exec(message);
  if (position?.[1] !== undefined) return { message, ...lineAndColumnAt(source, Number(position[1])) };
  if (/unexpected end/i.test(message)) return { message, ...lineAndColumnAt(source, source.length) };
  return { message, line: 1, column: 1 };
}

/** Parses a JSON object; anything else (array, string, syntax error) is a problem with a location. */
export function parseJsonObject(
  source: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; problem: JsonProblem } {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error: unknown) {
    return { ok: false, problem: locateJsonError(source, error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      problem: { message: 'The poller configuration must be a JSON object', line: 1, column: 1 },
    };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
