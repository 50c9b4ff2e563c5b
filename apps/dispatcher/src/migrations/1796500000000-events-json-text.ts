import { sqlMigration } from '@pollcast/service-kit';

/**
 * `events.event` as `json` (the text, checked) instead of `jsonb` (parsed into a binary tree): nothing
 * queries inside it on the hot path (the events API and replays read it back whole, or its `raw`), and
 * jsonb's conversion cost ~40 µs of PostgreSQL's CPU per inserted event (94 → 54, BENCHMARKS.md).
 * PostgreSQL still refuses the same text (U+0000 escapes, lone surrogates) on insert, so such events
 * still go to the DLQ. The type change rewrites the table once, under an exclusive lock.
 */
export const EventsJsonText1796500000000 = sqlMigration('EventsJsonText1796500000000', {
  up: [`ALTER TABLE events ALTER COLUMN event TYPE json USING event::json`],
  down: [`ALTER TABLE events ALTER COLUMN event TYPE jsonb USING event::jsonb`],
});
