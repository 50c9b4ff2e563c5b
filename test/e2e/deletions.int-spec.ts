import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { topicName } from '@pollcast/contracts';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import {
  createInstance,
  elementsSignature,
  eventsOf,
  Simulator,
  sinkRequests,
  TopicReader,
} from '../support/e2e-helpers';

const SIGNATURE_KEY = 'e2e-deletions-key-0123456789';
const HOOK = '/hooks/deletions';

interface LastReconciliation {
  runId: string;
  status: 'succeeded' | 'failed';
  idsListed: number;
  deletionsFound: number;
}

/**
 * Deletions through the whole platform as processes: two replicas of each scaled service, a contacts
 * resource reconciled for deletions, a poller replica killed with SIGKILL while it lists ids.
 *
 * The simulator assigns a record's Key (a create naming one is refused), so a deleted record cannot come
 * back under its id here: "re-created" is checked as a new contact after the deletions being CREATED
 * (the tombstone → CREATED-again path is covered by the normalizer's tests).
 */
describe('end to end: deleted records become exactly one signed DELETED event each', () => {
  let platform: RunningPlatform;
  let sim: Simulator;
  let reader: TopicReader;
  let db: Client;

  beforeAll(async () => {
    platform = await startPlatform({
      replicas: { 'poller-service': 2, normalizer: 2, dispatcher: 2 },
      // A killed replica's reconciliation lease expires soon, so the other replica redoes the run.
      env: { POLLER_LEASE_SECONDS: '5' },
    });
    sim = new Simulator(platform.simUrl);
    reader = new TopicReader(topicName('events', platform.topicPrefix));
    db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
  }, 240000);

  afterAll(async () => {
    await reader?.stop();
    await db?.end();
    await platform?.stop();
  });

  const api = (instanceId: string, path: string) =>
    `${platform.pollerUrl}/elements/api-v2/instances/${instanceId}/${path}`;

  async function lastReconciliation(instanceId: string): Promise<LastReconciliation | null> {
    const response = await fetch(api(instanceId, 'poller'), {
      headers: { authorization: platform.authorization },
    });
    if (response.status !== 200) return null;
    const state = (await response.json()) as {
      resources: { resource: string; reconciliation: { last: LastReconciliation | null } | null }[];
    };
    return state.resources.find((r) => r.resource === 'contacts')?.reconciliation?.last ?? null;
  }

  async function delivered() {
    return eventsOf(await sinkRequests(platform.sinkUrl, HOOK));
  }

  it('through two replicas and a kill -9 mid-reconciliation; the poller state shows the run; a new record is CREATED', async () => {
    const instanceId = String(
      await createInstance(platform, {
        name: 'deletions',
        callbackUrl: `${platform.sinkUrl}${HOOK}`,
        refreshInterval: '2',
        signatureKey: SIGNATURE_KEY,
        pollerConfiguration: { contacts: { deletions: { mode: 'reconcile' } } },
      }),
    );
    await reader.start();
    // The first reconciliation runs when the poller learns of the instance (nothing known: nothing gone).
    let initial: LastReconciliation | null = null;
    await waitFor(async () => (initial = await lastReconciliation(instanceId)) !== null, {
      what: 'the first reconciliation',
      timeoutMs: 60000,
      intervalMs: 500,
    });
    expect(initial).toMatchObject({ status: 'succeeded', deletionsFound: 0 });

    const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Deletions Ltd' });
    const contacts = [];
    for (let n = 0; n < 5; n += 1) {
      contacts.push(
        await sim.create('AbEntry', {
          Type: 'Contact',
          FirstName: `Del${n}`,
          LastName: 'Contact',
          ParentKey: company.Key,
        }),
      );
    }
    const keys = contacts.map((contact) => contact.Key);
    await waitFor(
      async () => {
        const created = new Set(
          (await delivered()).filter((e) => e.eventType === 'CREATED').map((e) => e.objectId),
        );
        return keys.every((key) => created.has(key));
      },
      { what: 'the CREATED events at the sink', timeoutMs: 90000, intervalMs: 500 },
    );

    const gone = keys.slice(0, 3);
    for (const key of gone) await sim.delete('AbEntry', key);

    // Every provider read answers slowly: the replica that claims the reconciliation is still listing
    // when it is killed.
    const slow = (await sim.fault({ kind: 'slow', delayMs: 4000, count: 1000, path: '/octopus/Read' })) as {
      id: string;
    };
    const requested = await fetch(api(instanceId, 'polls'), {
      method: 'POST',
      headers: { authorization: platform.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ reconcile: true }),
    });
    expect(requested.status).toBeLessThan(300);
    let owner = '';
    let runId = '';
    await waitFor(
      async () => {
        const { rows } = await db.query<{ run_id: string | null; owner: string | null }>(
          `SELECT reconcile_run_id AS run_id, reconcile_lease_owner AS owner FROM poller.schedules
            WHERE instance_id = $1 AND resource = 'contacts'`,
          [instanceId],
        );
        owner = rows[0]?.owner ?? '';
        runId = rows[0]?.run_id ?? '';
        return owner !== '' && runId !== '';
      },
      { what: 'a replica running the reconciliation', timeoutMs: 60000, intervalMs: 100 },
    );
    // The lease owner is `host:pid:…`.
    const victim = platform.processes.find(
      (p) =>
        p.spec.name === 'poller-service' && p.child.exitCode === null && owner.includes(`:${p.child.pid}:`),
    );
    if (!victim) throw new Error(`no live poller-service replica owns the reconciliation (${owner})`);
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;
    await sim.client.control('DELETE', `/faults/${slow.id}`);
    // A restart after the crash (it takes the API port back if the killed replica had it).
    await platform.startReplica('poller-service');

    let found: LastReconciliation | null = null;
    await waitFor(
      async () => {
        found = await lastReconciliation(instanceId);
        return found !== null && found.runId !== initial?.runId;
      },
      { what: 'the reconciliation redone after the kill', timeoutMs: 90000, intervalMs: 500 },
    );
    expect(found).toMatchObject({ status: 'succeeded', deletionsFound: 3 });
    expect(found!.runId).not.toBe(runId);
    expect(found!.idsListed).toBeGreaterThanOrEqual(keys.length - gone.length);

    const deletedAtSink = async () => (await delivered()).filter((e) => e.eventType === 'DELETED');
    await waitFor(async () => new Set((await deletedAtSink()).map((e) => e.objectId)).size >= gone.length, {
      what: 'the DELETED events at the sink',
      timeoutMs: 90000,
      intervalMs: 500,
    });

    // A new contact after the deletions is CREATED (the simulator cannot re-create a Key, see above).
    const again = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Again',
      LastName: 'Contact',
      ParentKey: company.Key,
    });
    await waitFor(
      async () => (await delivered()).some((e) => e.eventType === 'CREATED' && e.objectId === again.Key),
      { what: 'the new contact CREATED', timeoutMs: 90000, intervalMs: 500 },
    );

    // Exactly one DELETED per deleted record: each under one webhook-id (re-deliveries of the same
    // notification count once), none for a record still there.
    const deleted = await deletedAtSink();
    const webhookIds = new Map<string, Set<string>>();
    for (const event of deleted) {
      expect(event.objectType).toBe('contacts');
      webhookIds.set(event.objectId, (webhookIds.get(event.objectId) ?? new Set()).add(event.webhookId));
    }
    expect([...webhookIds.keys()].sort()).toEqual([...gone].sort());
    expect([...webhookIds.values()].map((ids) => ids.size)).toEqual(gone.map(() => 1));

    // Signed like every other callback: Open Connectors' header and Standard Webhooks.
    const verifier = new Webhook(`whsec_${Buffer.from(SIGNATURE_KEY).toString('base64')}`);
    const requests = (await sinkRequests(platform.sinkUrl, HOOK)).filter((r) => r.response.status < 300);
    for (const request of requests) {
      expect(request.headers['elements-webhook-signature']).toBe(
        elementsSignature(SIGNATURE_KEY, request.body),
      );
      expect(() => verifier.verify(request.body, request.headers)).not.toThrow();
    }

    // On the topic: one DELETED event id per deleted record, with the standard fields and CloudEvents type.
    await waitFor(
      () =>
        new Set(
          reader.messages
            .map((m) => m.value as { eventType: string; objectId: string })
            .filter((e) => e.eventType === 'DELETED')
            .map((e) => e.objectId),
        ).size >= gone.length,
      { what: 'the DELETED events on the topic', timeoutMs: 60000 },
    );
    const onTopic = reader.messages.filter((m) => (m.value as { eventType: string }).eventType === 'DELETED');
    const idsByObject = new Map<string, Set<string>>();
    for (const message of onTopic) {
      const event = message.value as {
        eventId: string;
        objectId: string;
        objectType: string;
        op: string;
        raw: unknown;
        pollId: string;
      };
      expect(event).toMatchObject({ objectType: 'contacts', op: 'd', raw: {}, pollId: found!.runId });
      expect(message.headers.ce_type).toBe('pollcast.contacts.deleted');
      expect(message.headers.ce_id).toBe(event.eventId);
      idsByObject.set(event.objectId, (idsByObject.get(event.objectId) ?? new Set()).add(event.eventId));
    }
    expect([...idsByObject.keys()].sort()).toEqual([...gone].sort());
    expect([...idsByObject.values()].map((ids) => ids.size)).toEqual(gone.map(() => 1));
  }, 300000);
});
