import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

const COPY_SPECIAL = /[\\\n\r\t]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * One value in COPY's text format: `\N` for null; backslash, newline, carriage return and tab escaped
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"). The value must not hold U+0000
 * or a lone surrogate: COPY has no escape for the first, and UTF-8 would carry the second as U+FFFD
 * without an error, so callers check (`findUnstorableText`) before they copy.
 */
export function copyTextValue(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(COPY_SPECIAL, (special) => COPY_ESCAPES[special] ?? special);
}

/** One row in COPY's text format, newline included. */
export function copyTextRow(values: ReadonlyArray<string | null>): string {
  let row = '';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) row += '\t';
    row += copyTextValue(values[index] ?? null);
  }
  return `${row}\n`;
}

/**
 * `COPY <target> FROM STDIN` of rows already in COPY's text format, on the connection of `manager`'s
 * transaction: a failing row (a unique violation, a bad value) fails the statement with PostgreSQL's
 * own error and aborts the transaction, like an INSERT. Bulk inserts this way cost PostgreSQL about half
 * the CPU of an `INSERT … SELECT FROM json_to_recordset(…)` of the same rows (BENCHMARKS.md, dispatcher).
 */
export async function copyRowsIn(manager: EntityManager, target: string, rows: string): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('copyRowsIn runs inside a transaction');
  const client = (await runner.connect()) as PoolClient;
  await pipeline(Readable.from([rows]), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}
