// The read cache across two replicas of one database: whatever changes a row (a PATCH on the other
// replica, a DELETE, hand-made SQL, a change made while a replica was not listening) is what the next
// reads show, though reads are served from memory.
import { Client } from 'pg';
import { startService, type RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import type { Env } from '../env';
import { instanceServiceOptions } from '../service';
import { useInstanceService } from '../testing/instance-service-harness';
import type { InstanceResponse } from './instance-mapper';

describe('instance read cache on two replicas (real Postgres, Kafka)', () => {
  const harness = useInstanceService();
  let replicaB: RunningService<Env>;
  let db: Client;

  beforeAll(async () => {
    replicaB = await startService(instanceServiceOptions({ ...harness.env, OUTBOX_RELAY_ENABLED: 'false' }));
    db = new Client({ connectionString: harness.databaseUrl });
    await db.connect();
    await waitFor(async () => (await cacheReads(replicaB)).inUse, { what: "replica B's LISTEN" });
  });

  afterAll(async () => {
    await db?.end();
    await replicaB?.close();
  });

  /** GET on replica B (the harness's `api` talks to replica A). */
  async function getOnB(
    id: number,
    authorization: string,
  ): Promise<{ status: number; body: InstanceResponse }> {
    const response = await fetch(`${replicaB.url}/elements/api-v2/instances/${id}`, {
      headers: { authorization },
    });
    return { status: response.status, body: (await response.json()) as InstanceResponse };
  }

  /** A replica's read-cache series, from its /metrics. */
  async function cacheReads(replica: RunningService<Env>): Promise<{ hits: number; inUse: boolean }> {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    const hits = /^pollcast_instance_read_cache_total\{result="hit"[^}]*\} (\d+)/m.exec(text)?.[1];
    const inUse = /^pollcast_instance_read_cache_in_use(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1];
    return { hits: Number(hits ?? 0), inUse: inUse === '1' };
  }

  it('serves repeated reads from memory, and a PATCH on the other replica is what the next read shows', async () => {
    const instance = await harness.createInstance(harness.tenantA);
    const { authorization } = harness.tenantA;
    expect((await getOnB(instance.id, authorization)).body.name).toBe(instance.name);
    const before = await cacheReads(replicaB);
    expect((await getOnB(instance.id, authorization)).body.name).toBe(instance.name);
    expect((await cacheReads(replicaB)).hits).toBe(before.hits + 1);

    const patched = await harness.api<InstanceResponse>(
      'PATCH',
      `/elements/api-v2/instances/${instance.id}`,
      {
        authorization,
        body: { name: 'Renamed on A' },
      },
    );
    expect(patched.status).toBe(200);
    await waitFor(async () => (await getOnB(instance.id, authorization)).body.name === 'Renamed on A', {
      what: 'replica B to show the PATCH',
      timeoutMs: 5000,
    });
    // Another organization still gets "not found" from memory as from the database.
    expect((await getOnB(instance.id, harness.tenantB.authorization)).status).toBe(404);
  });

  it('the replica that made a change shows it on its very next read', async () => {
    const instance = await harness.createInstance(harness.tenantA);
    const path = `/elements/api-v2/instances/${instance.id}`;
    const auth = { authorization: harness.tenantA.authorization };
    for (let round = 0; round < 10; round += 1) {
      await harness.api('GET', path, auth);
      await harness.api('GET', path, auth);
      const patched = await harness.api('PATCH', path, { ...auth, body: { name: `Round ${round}` } });
      expect(patched.status).toBe(200);
      expect((await harness.api<InstanceResponse>('GET', path, auth)).body.name).toBe(`Round ${round}`);
    }
  });

  it('sees a change made with hand-written SQL (the trigger announces every write)', async () => {
    const instance = await harness.createInstance(harness.tenantA);
    const { authorization } = harness.tenantA;
    await getOnB(instance.id, authorization);
    await db.query('UPDATE instance.instances SET name = $2, version = version + 1 WHERE id = $1', [
      instance.id,
      'Renamed by SQL',
    ]);
    await waitFor(async () => (await getOnB(instance.id, authorization)).body.name === 'Renamed by SQL', {
      what: 'replica B to show the SQL change',
      timeoutMs: 5000,
    });
  });

  it("a DELETE on one replica: the other answers 404 and no longer accepts the instance's Element token", async () => {
    const instance = await harness.createInstance(harness.tenantA);
    const { authorization } = harness.tenantA;
    const userSecret = /User ([^,]+),/.exec(authorization)?.[1] ?? '';
    const elementAuthorization = `User ${userSecret}, Element ${instance.token ?? ''}`;
    // Both kept in memory on B: the row, and the Element token's verified principal.
    expect((await getOnB(instance.id, authorization)).status).toBe(200);
    expect((await getOnB(instance.id, elementAuthorization)).status).toBe(200);

    const deleted = await harness.api('DELETE', `/elements/api-v2/instances/${instance.id}`, {
      authorization,
    });
    expect(deleted.status).toBe(200);
    await waitFor(async () => (await getOnB(instance.id, authorization)).status === 404, {
      what: 'replica B to forget the deleted instance',
      timeoutMs: 5000,
    });
    await waitFor(async () => (await getOnB(instance.id, elementAuthorization)).status === 401, {
      what: "replica B to refuse the deleted instance's Element token",
      timeoutMs: 5000,
    });
  });

  it('a change made while a replica was not listening is not served stale once it listens again', async () => {
    const instance = await harness.createInstance(harness.tenantA);
    const { authorization } = harness.tenantA;
    await getOnB(instance.id, authorization);
    await getOnB(instance.id, authorization);
    // End every listening session and wait for them to be gone, then change the row: no replica hears it.
    const ended = await db.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity
       WHERE application_name = 'pollcast-instance-service-listen' AND datname = current_database()`,
    );
    expect(ended.rows.length).toBeGreaterThanOrEqual(2);
    await db.query('UPDATE instance.instances SET name = $2 WHERE id = $1', [instance.id, 'Changed unheard']);
    await waitFor(async () => (await getOnB(instance.id, authorization)).body.name === 'Changed unheard', {
      what: 'replica B to show the change it did not hear',
      timeoutMs: 5000,
    });
    await waitFor(async () => (await cacheReads(replicaB)).inUse, { what: 'replica B to listen again' });
    // Listening again, it serves from memory again: what it held from before is gone, not served stale.
    for (let read = 0; read < 2; read += 1)
      expect((await getOnB(instance.id, authorization)).body.name).toBe('Changed unheard');
  });
});
