import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RememberedState } from '../normalize/decide';
import { ObjectStateStore, stateKey, type ObjectRef, type ObjectStateRow } from './object-state.store';

interface StoredStateRow {
  instance_id: string;
  resource: string;
  object_id: string;
  updated_ms: string | null;
  content_hash: string;
  deleted: boolean;
  last_event_id: string;
}

// One index lookup per key, whatever the planner believes: LATERAL … LIMIT 1 (the key is the primary
// key, so LIMIT 1 changes nothing) keeps it a nested loop. As a plain join, a young table without
// statistics was hashed whole on every batch — 90 ms per call in the e2e bench (BENCHMARKS.md).
const LOAD_SQL = `
  SELECT s.instance_id, s.resource, s.object_id, s.updated_ms, s.content_hash, s.deleted, s.last_event_id
  FROM unnest($1::text[], $2::text[], $3::text[]) AS k(instance_id, resource, object_id)
  CROSS JOIN LATERAL (
    SELECT * FROM object_state s
    WHERE s.instance_id = k.instance_id AND s.resource = k.resource AND s.object_id = k.object_id
    LIMIT 1
  ) s`;

// The WHERE repeats the dedupe rule so a state that someone else advanced meanwhile (a consumer that
// lost its partition but had not noticed yet) is never moved backwards. A deletion or a re-creation
// (the tombstone flips) always applies: it is decided against the state it replaces.
const SAVE_SQL = `
  INSERT INTO object_state AS s
    (instance_id, resource, object_id, updated_ms, content_hash, last_event_id, last_poll_id, deleted, changed_at)
  SELECT r.instance_id, r.resource, r.object_id, r.updated_ms, r.content_hash, r.last_event_id, r.last_poll_id,
         r.deleted, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::uuid[], $7::text[], $8::boolean[])
    AS r(instance_id, resource, object_id, updated_ms, content_hash, last_event_id, last_poll_id, deleted)
  ON CONFLICT (instance_id, resource, object_id) DO UPDATE SET
    updated_ms = EXCLUDED.updated_ms,
    content_hash = EXCLUDED.content_hash,
    last_event_id = EXCLUDED.last_event_id,
    last_poll_id = EXCLUDED.last_poll_id,
    deleted = EXCLUDED.deleted,
    changed_at = EXCLUDED.changed_at
  WHERE s.deleted <> EXCLUDED.deleted
     OR s.updated_ms IS NULL
     OR EXCLUDED.updated_ms > s.updated_ms
     OR (EXCLUDED.updated_ms = s.updated_ms AND EXCLUDED.content_hash <> s.content_hash)
  RETURNING 1`;

/** The dedupe memory in the `normalizer` schema: one unnest() query per batch for reads and for writes. */
@Injectable()
export class PostgresObjectStateStore extends ObjectStateStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async load(refs: ReadonlyArray<ObjectRef>): Promise<Map<string, RememberedState>> {
    const states = new Map<string, RememberedState>();
    if (refs.length === 0) return states;
    const rows: StoredStateRow[] = await this.dataSource.query(LOAD_SQL, [
      refs.map((ref) => ref.instanceId),
      refs.map((ref) => ref.resource),
      refs.map((ref) => ref.objectId),
    ]);
    for (const row of rows) {
      states.set(stateKey({ instanceId: row.instance_id, resource: row.resource, objectId: row.object_id }), {
        updatedMs: row.updated_ms === null ? null : Number(row.updated_ms),
        contentHash: row.content_hash,
        deleted: row.deleted,
        lastEventId: row.last_event_id,
      });
    }
    return states;
  }

  async save(rows: ReadonlyArray<ObjectStateRow>): Promise<number> {
    if (rows.length === 0) return 0;
    const written: unknown[] = await this.dataSource.query(SAVE_SQL, [
      rows.map((row) => row.instanceId),
      rows.map((row) => row.resource),
      rows.map((row) => row.objectId),
      rows.map((row) => (row.updatedMs === null ? null : String(row.updatedMs))),
      rows.map((row) => row.contentHash),
      rows.map((row) => row.lastEventId),
      rows.map((row) => row.lastPollId),
      rows.map((row) => row.deleted === true),
    ]);
    return written.length;
  }
}
