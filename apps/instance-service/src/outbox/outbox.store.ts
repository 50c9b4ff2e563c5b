import type { EntityManager } from 'typeorm';

export interface OutboxMessage {
  topic: string;
  key: string;
  /** null = tombstone. */
  value: unknown;
  headers?: Record<string, string>;
}

export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: unknown;
  headers: Record<string, string>;
}

/** The outbox table: written in the caller's transaction, read and emptied by the relay. */
export const outboxStore = {
  /** Writes a Kafka message in the caller's transaction, so a committed change is always published. */
  async enqueue(manager: EntityManager, message: OutboxMessage): Promise<void> {
    await manager.query(
      'INSERT INTO outbox (topic, message_key, value, headers) VALUES ($1, $2, $3::jsonb, $4::jsonb)',
      [
        message.topic,
        message.key,
        message.value === null ? null : JSON.stringify(message.value),
        JSON.stringify(message.headers ?? {}),
      ],
    );
  },

  /** Only one replica relays at a time (transaction-scoped advisory lock), so one key keeps its order. */
  async tryRelayLock(manager: EntityManager): Promise<boolean> {
    const [lock] = await manager.query<Array<{ locked: boolean }>>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
      ['pollcast-instance-outbox-relay'],
    );
    return lock?.locked === true;
  },

  /** The oldest rows, locked `FOR UPDATE SKIP LOCKED` so a second relay never blocks on them. */
  async claimBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    return manager.query<OutboxRow[]>(
      'SELECT id, topic, message_key, value, headers FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
      [limit],
    );
  },

  async delete(manager: EntityManager, ids: string[]): Promise<void> {
    await manager.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  },
};
