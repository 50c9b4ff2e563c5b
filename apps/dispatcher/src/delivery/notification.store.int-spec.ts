import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pollcast/service-kit';
import { createTestDatabase, waitFor } from '@pollcast/testing';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from '../database/dispatcher.entities';
import { NotificationStore } from './notification.store';

interface NotificationRow {
  id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  next_attempt_at: Date;
}

describe('NotificationStore completions', () => {
  let dataSource: DataSource;
  let store: NotificationStore;

  beforeAll(async () => {
    dataSource = await openServiceDatabase({
      url: await createTestDatabase('dispatcher-store'),
      schema: 'dispatcher',
      entities: DISPATCHER_ENTITIES,
      migrations: DISPATCHER_MIGRATIONS,
      poolSize: 4,
      applicationName: 'notification-store-test',
    });
    store = new NotificationStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  async function insertPending(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await dataSource.query(
      `INSERT INTO notifications (id, instance_id, organization_id, resource, event_ids, body, status)
       SELECT id, 'inst-' || ord, 'org', 'contacts', ARRAY['e-' || id::text], '{}', 'PENDING'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)`,
      [ids],
    );
    return ids;
  }

  it('records hundreds of concurrent completions, each with its own state and attempt', async () => {
    const ids = await insertPending(300);
    const retryAt = new Date(Date.now() + 60_000);
    // Submitted in one tick: they coalesce into a few statements, yet each row gets its own values.
    await Promise.all(
      ids.map((id, index) => {
        const kind = index % 3;
        if (kind === 0) {
          return store.complete(
            { id, instanceId: `inst-${index + 1}`, leaseToken: null },
            {
              attempt: 1,
              attemptedAt: new Date(),
              statusCode: 200,
              latencyMs: 12.6,
              outcome: 'delivered',
              error: null,
              responseBody: `ok ${index}`,
            },
            { status: 'DELIVERED', attempts: 1, statusCode: 200, error: null },
          );
        }
        if (kind === 1) {
          return store.complete(
            { id, instanceId: `inst-${index + 1}`, leaseToken: null },
            {
              attempt: 1,
              attemptedAt: new Date(),
              statusCode: 503,
              latencyMs: 3,
              outcome: 'http-error',
              error: `HTTP 503 (${index})`,
              responseBody: null,
            },
            { status: 'RETRYING', attempts: 1, nextAttemptAt: retryAt, statusCode: 503, error: 'HTTP 503' },
          );
        }
        return store.complete({ id, instanceId: `inst-${index + 1}`, leaseToken: null }, null, {
          status: 'FAILED',
          attempts: 0,
          statusCode: null,
          error: 'instance is disabled',
        });
      }),
    );

    const rows: NotificationRow[] = await dataSource.query(
      `SELECT id, status, attempts, last_status_code, last_error, delivered_at, next_attempt_at
       FROM notifications WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    ids.forEach((id, index) => {
      const row = byId.get(id);
      const kind = index % 3;
      if (kind === 0) {
        expect(row).toMatchObject({
          status: 'DELIVERED',
          attempts: 1,
          last_status_code: 200,
          last_error: null,
        });
        expect(row?.delivered_at).not.toBeNull();
      } else if (kind === 1) {
        expect(row).toMatchObject({
          status: 'RETRYING',
          attempts: 1,
          last_status_code: 503,
          last_error: 'HTTP 503',
        });
        expect(row?.next_attempt_at.getTime()).toBe(retryAt.getTime());
        expect(row?.delivered_at).toBeNull();
      } else {
        expect(row).toMatchObject({ status: 'FAILED', attempts: 0, last_error: 'instance is disabled' });
      }
    });

    const attempts: {
      notification_id: string;
      latency_ms: number;
      response_body: string | null;
      error: string | null;
    }[] = await dataSource.query(
      `SELECT notification_id, latency_ms, response_body, error FROM delivery_attempts
         WHERE notification_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(attempts).toHaveLength(200);
    const attemptOf = new Map(attempts.map((attempt) => [attempt.notification_id, attempt]));
    expect(attemptOf.get(ids[0] as string)).toMatchObject({
      latency_ms: 13,
      response_body: 'ok 0',
      error: null,
    });
    expect(attemptOf.get(ids[1] as string)).toMatchObject({
      latency_ms: 3,
      response_body: null,
      error: 'HTTP 503 (1)',
    });
    expect(attemptOf.has(ids[2] as string)).toBe(false);
  });

  it('fences a claim taken over after its lease: the stale completion and deferral write no state', async () => {
    const [id] = await insertPending(1);
    const claimOf = async (leaseMs: number) =>
      (await store.claimDue(1000, [], leaseMs)).find((claimed) => claimed.id === id);
    const stale = await claimOf(1); // a lease of 1 ms: due again at once, as after a long pause
    expect(stale?.leaseToken).toEqual(expect.any(String));
    const current = await waitFor(() => claimOf(60_000), { what: 'the takeover of the expired claim' });
    expect(current.leaseToken).not.toBe(stale!.leaseToken);

    // The paused replica wakes and writes what its attempt got: the attempt is logged, the state is not.
    await store.complete(
      stale!,
      {
        attempt: 1,
        attemptedAt: new Date(),
        statusCode: 503,
        latencyMs: 5,
        outcome: 'http-error',
        error: 'HTTP 503 (stale)',
        responseBody: null,
      },
      {
        status: 'RETRYING',
        attempts: 1,
        nextAttemptAt: new Date(),
        statusCode: 503,
        error: 'HTTP 503 (stale)',
      },
    );
    await store.defer(stale!, 1, Date.now(), 'stale deferral');
    const [afterStale] = await dataSource.query<NotificationRow[]>(
      `SELECT id, status, attempts, last_status_code, last_error FROM notifications WHERE id = $1`,
      [id],
    );
    expect(afterStale).toMatchObject({
      status: 'SENDING',
      attempts: 0,
      last_status_code: null,
      last_error: null,
    });
    const logged = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM delivery_attempts WHERE notification_id = $1`,
      [id],
    );
    expect(logged[0]?.count).toBe(1);

    await store.complete(current, null, { status: 'DELIVERED', attempts: 1, statusCode: 200, error: null });
    const [delivered] = await dataSource.query<NotificationRow[]>(
      `SELECT id, status, attempts FROM notifications WHERE id = $1`,
      [id],
    );
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 1 });
  });

  it('fails the callers of a batch that could not be written', async () => {
    const [id] = await insertPending(1);
    await expect(
      store.complete({ id: id as string, instanceId: 'inst-1', leaseToken: null }, null, {
        status: 'NOT-A-STATUS' as 'FAILED',
        attempts: 0,
        statusCode: null,
        error: null,
      }),
    ).rejects.toThrow(/check constraint/);
    // The queue carries on after a failed batch.
    await store.complete({ id: id as string, instanceId: 'inst-1', leaseToken: null }, null, {
      status: 'FAILED',
      attempts: 0,
      statusCode: null,
      error: 'gone',
    });
  });

  it('prunes finished history older than the cutoff, never what is undelivered', async () => {
    const instanceId = `prune-${randomUUID().slice(0, 8)}`;
    const old = new Date(Date.now() - 40 * 86_400_000);
    const rows = [
      { status: 'DELIVERED', updatedAt: old, label: 'old delivered' },
      { status: 'FAILED', updatedAt: old, label: 'old failed' },
      { status: 'QUEUED', updatedAt: old, label: 'old queued' },
      { status: 'RETRYING', updatedAt: old, label: 'old retrying' },
      { status: 'DELIVERED', updatedAt: new Date(), label: 'recent delivered' },
    ].map((row) => ({ ...row, id: randomUUID(), eventId: `ev-${randomUUID()}` }));
    for (const row of rows) {
      await dataSource.query(
        `INSERT INTO notifications (id, instance_id, organization_id, resource, event_ids, body, status, updated_at)
         VALUES ($1, $2, 'org', 'contacts', ARRAY[$3], '{}', $4, $5)`,
        [row.id, instanceId, row.eventId, row.status, row.updatedAt],
      );
      await dataSource.query(
        `INSERT INTO events (event_id, instance_id, organization_id, element_key, resource, object_id, event_type,
           event_date, event, notification_id)
         VALUES ($1, $2, 'org', 'maximizer', 'contacts', 'o1', 'UPDATED', now(), '{}', $3)`,
        [row.eventId, instanceId, row.id],
      );
      await dataSource.query(
        `INSERT INTO delivery_attempts (notification_id, instance_id, attempt, attempted_at, latency_ms, outcome)
         VALUES ($1, $2, 1, $3, 5, 'delivered')`,
        [row.id, instanceId, row.updatedAt],
      );
    }

    const pruned = await store.pruneFinished(new Date(Date.now() - 30 * 86_400_000), 1);

    expect(pruned).toEqual({ notifications: 2, events: 2 });
    const left: { id: string }[] = await dataSource.query(
      `SELECT id FROM notifications WHERE instance_id = $1`,
      [instanceId],
    );
    const labelsLeft = rows.filter((row) => left.some((l) => l.id === row.id)).map((row) => row.label);
    expect(labelsLeft.sort()).toEqual(['old queued', 'old retrying', 'recent delivered']);
    const eventsLeft: { count: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count FROM events WHERE instance_id = $1`,
      [instanceId],
    );
    const attemptsLeft: { count: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count FROM delivery_attempts WHERE instance_id = $1`,
      [instanceId],
    );
    expect(eventsLeft[0]?.count).toBe(3);
    expect(attemptsLeft[0]?.count).toBe(3);
  });
});
