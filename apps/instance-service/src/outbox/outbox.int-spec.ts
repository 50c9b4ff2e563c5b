// The transactional outbox: a committed change is published after Kafka failures and after a crash
// between commit and publish.
import { KafkaClient, startService, type RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import { Client } from 'pg';
import type { Env } from '../env';
import { instanceServiceOptions } from '../service';
import { curlBody, useInstanceService, type Tenant } from '../testing/instance-service-harness';
import { OutboxRelay } from './outbox-relay.publisher';

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  const harness = useInstanceService();
  const { grantCode, createInstance, snapshotsOf } = harness;
  let service: RunningService<Env>;
  let env: NodeJS.ProcessEnv;
  let databaseUrl: string;
  let tenantA: Tenant;

  beforeAll(() => {
    ({ service, env, databaseUrl, tenantA } = harness);
  });

  describe('transactional outbox', () => {
    it('publishes a committed change after Kafka failures and after a crash between commit and publish', async () => {
      // 1. Publishing fails for a while: the row stays and goes out once Kafka answers again.
      const kafka = service.app.get(KafkaClient);
      const publish = jest.spyOn(kafka, 'publish').mockRejectedValue(new Error('broker unavailable (test)'));
      const failing = await createInstance(tenantA);
      await waitFor(() => publish.mock.calls.length >= 2, { what: 'failed publish attempts' });
      expect(snapshotsOf(failing.id)).toEqual([]);
      publish.mockRestore();
      await waitFor(() => snapshotsOf(failing.id).length > 0, {
        what: 'the snapshot after Kafka recovered',
        timeoutMs: 60000,
      });

      // 2. A replica that commits but never publishes (its relay is off: a crash right after commit).
      const crashing = await startService(instanceServiceOptions({ ...env, OUTBOX_RELAY_ENABLED: 'false' }));
      const mainRelay = service.app.get(OutboxRelay);
      const stopMainRelay = jest.spyOn(mainRelay, 'wake').mockImplementation(() => undefined);
      let instanceId: number;
      const database = new Client({ connectionString: databaseUrl });
      await database.connect();
      try {
        const created = await fetch(`${crashing.url}/elements/api-v2/instances`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: tenantA.authorization },
          body: JSON.stringify(curlBody(await grantCode(tenantA))),
        });
        instanceId = ((await created.json()) as { id: number }).id;
        await crashing.close();
        // 3. The surviving relay picks the row up (its interval tick), the snapshot arrives.
        await waitFor(() => snapshotsOf(instanceId).length > 0, { what: 'the snapshot after the crash' });
        // The relay deletes a row in the transaction that follows the publish, so a consumer can see the
        // snapshot a moment before the delete commits: the outbox must empty, not be empty already.
        await waitFor(
          async () =>
            (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM instance.outbox')).rows[0]
              ?.n === 0,
          { what: 'an empty outbox after the relay published' },
        );
      } finally {
        stopMainRelay.mockRestore();
        await database.end();
      }
    });
  });
});
