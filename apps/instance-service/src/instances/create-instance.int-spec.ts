// Creating instances over HTTP: the seed's bodies, 400/401/429 answers, the published snapshot.
import { instanceSnapshotSchema } from '@pollcast/contracts';
import type { MaximizerSimulator } from '@pollcast/maximizer-sim';
import { startService, type RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import type { Env } from '../env';
import { instanceServiceOptions } from '../service';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  curlBody,
  templateBody,
  useInstanceService,
  type Tenant,
} from '../testing/instance-service-harness';

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  const harness = useInstanceService();
  const { api, grantCode, createInstance, snapshotsOf } = harness;
  let sim: MaximizerSimulator;
  let service: RunningService<Env>;
  let env: NodeJS.ProcessEnv;
  let tenantA: Tenant;
  let tenantB: Tenant;

  beforeAll(() => {
    ({ sim, service, env, tenantA, tenantB } = harness);
  });

  describe('creating instances', () => {
    it("creates an instance from the seed's curl body and publishes a snapshot without secrets", async () => {
      const instance = await createInstance(tenantA);
      expect(instance).toMatchObject({
        id: expect.any(Number),
        name: 'API Instance with Polling',
        token: expect.any(String),
        element: { id: 1, key: 'maximizer', name: 'Maximizer', hub: 'crm' },
        tags: ['Docs'],
        eventsEnabled: true,
        valid: true,
        disabled: false,
        user: { id: expect.any(Number), emailAddress: 'acme@example.com' },
      });
      expect(Date.parse(instance.createdDate)).not.toBeNaN();
      expect(instance.configuration['oauth.api.secret']).toBe('********');
      expect(instance.configuration['oauth.api.key']).toBe(CLIENT_ID);
      expect(instance.configuration['maximizer.url']).toBe(sim.url);
      expect(JSON.stringify(instance)).not.toContain(CLIENT_SECRET);

      const [snapshot] = await waitFor(
        () => snapshotsOf(instance.id).length > 0 && snapshotsOf(instance.id),
        {
          what: 'the snapshot',
        },
      );
      const value = instanceSnapshotSchema.parse(snapshot?.value);
      expect(value).toMatchObject({
        id: String(instance.id),
        organizationId: tenantA.organizationId,
        elementKey: 'maximizer',
        enabled: true,
        valid: true,
        version: 1,
        elementConfig: { 'maximizer.url': sim.url, 'maximizer.datacenter': 'caw' },
        events: { enabled: true, hasSignatureKey: false, refreshIntervalMinutes: 15 },
      });
      expect(value.events.resources.map((resource) => resource.resource)).toEqual(['contacts']);
      expect(JSON.stringify(snapshot?.value)).not.toContain(CLIENT_SECRET);
    });

    it("creates an instance from the seed's template body (empty name and tag, element defaults)", async () => {
      const instance = await createInstance(tenantA, templateBody(await grantCode(tenantA)));
      expect(instance.name).toBe('maximizer');
      expect(instance.tags).toEqual([]);
      const [snapshot] = await waitFor(() => snapshotsOf(instance.id).length > 0 && snapshotsOf(instance.id));
      const value = instanceSnapshotSchema.parse(snapshot?.value);
      expect(value.events.resources.map((resource) => resource.resource)).toEqual([
        'addressbook-entries',
        'companies',
        'contacts',
        'opportunities',
      ]);
    });

    it('answers 400 with every problem and its path, never 500', async () => {
      const body = curlBody('irrelevant');
      (body['configuration'] as Record<string, unknown>)['event.poller.refresh_interval'] = 'soon';
      (body['configuration'] as Record<string, unknown>)['event.notification.callback.url'] = 'ftp://x';
      const invalid = await api('POST', '/elements/api-v2/instances', {
        authorization: tenantA.authorization,
        body,
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ requestId: expect.any(String), message: expect.any(String) });
      expect(invalid.body.errors.map((error) => error.path).sort()).toEqual([
        'configuration.event.notification.callback.url',
        'configuration.event.poller.refresh_interval',
      ]);

      const noCode = await api('POST', '/elements/api-v2/instances', {
        authorization: tenantA.authorization,
        body: { ...curlBody(''), providerData: { code: '' } },
      });
      expect(noCode.status).toBe(400);
      expect(noCode.body.errors[0]?.path).toBe('providerData.code');

      const refused = await api('POST', '/elements/api-v2/instances', {
        authorization: tenantA.authorization,
        body: curlBody('not-a-code-the-simulator-issued'),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0]?.path).toBe('providerData.code');

      for (const weird of [
        'null',
        '[]',
        '"x"',
        '{"element":{"key":7}}',
        '{"element":{"key":"nope"}}',
        '{',
        '{"__proto__":{"x":1}}',
      ]) {
        const response = await fetch(`${service.url}/elements/api-v2/instances`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: tenantA.authorization },
          body: weird,
        });
        expect(response.status).toBe(400);
        const errorBody = (await response.json()) as Record<string, unknown>;
        expect(errorBody['requestId']).toEqual(expect.any(String));
      }
    });

    it('answers 401 without or with wrong credentials', async () => {
      const missing = await api('GET', '/elements/api-v2/instances');
      expect(missing.status).toBe(401);
      expect(missing.body.message).toMatch(/Authorization/);
      const empty = await api('GET', '/elements/api-v2/instances', { authorization: 'User , Organization ' });
      expect(empty.status).toBe(401);
      const wrong = await api('GET', '/elements/api-v2/instances', {
        authorization: 'User nope-nope-nope, Organization nope-nope-nope',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toMatch(/Invalid credentials/);
      // A's user with B's organization secret.
      const userA = /User (\S+),/.exec(tenantA.authorization)?.[1];
      const organizationB = /Organization (\S+)$/.exec(tenantB.authorization)?.[1];
      const mixed = await api('GET', '/elements/api-v2/instances', {
        authorization: `User ${userA}, Organization ${organizationB}`,
      });
      expect(mixed.status).toBe(401);
    });
    it('answers 429 with Retry-After when an organization exceeds its rate (per organization)', async () => {
      const limited = await startService(
        instanceServiceOptions({
          ...env,
          RATE_LIMIT_PER_SECOND: '1',
          RATE_LIMIT_BURST: '2',
          OUTBOX_RELAY_ENABLED: 'false',
        }),
      );
      try {
        const get = (tenant: Tenant) =>
          fetch(`${limited.url}/elements/api-v2/instances`, {
            headers: { authorization: tenant.authorization },
          });
        const statuses = [(await get(tenantA)).status, (await get(tenantA)).status];
        const refused = await get(tenantA);
        expect(statuses).toEqual([200, 200]);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(await refused.json()).toMatchObject({
          requestId: expect.any(String),
          message: expect.stringMatching(/Too many/),
        });
        expect((await get(tenantB)).status).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });
});
