/** Reads a dotted path (`Key`, `data.id`) from a provider record; Open Connectors' `idField`. */
export function readDottedPath(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path]; // a key that itself contains dots
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The record's object id as a string, or undefined when it has none usable as a Kafka key part. */
export function objectIdOf(record: Readonly<Record<string, unknown>>, idField: string): string | undefined {
  const value = readDottedPath(record, idField);
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}
