// The internal API over HTTP: the service token, tenant verification, access tokens (one refresh across
// replicas), delivery settings and disabling events.
import type { MaximizerSimulator } from '@pollcast/maximizer-sim';
import { startService, type RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import type { Env } from '../env';
import { instanceServiceOptions } from '../service';
import {
  CLIENT_ID,
  SERVICE_TOKEN,
  useInstanceService,
  type Tenant,
} from '../testing/instance-service-harness';

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  const harness = useInstanceService();
  const { api, internal, grantCode, createInstance, snapshotsOf } = harness;
  let sim: MaximizerSimulator;
  let service: RunningService<Env>;
  let env: NodeJS.ProcessEnv;
  let tenantA: Tenant;
  let tenantB: Tenant;

  beforeAll(() => {
    ({ sim, service, env, tenantA, tenantB } = harness);
  });

  describe('internal endpoints', () => {
    it('refuses calls without the service token', async () => {
      expect(
        (await api('POST', '/internal/auth/verify', { body: { authorization: tenantA.authorization } }))
          .status,
      ).toBe(401);
      const wrong = await api('GET', '/internal/instances/1/delivery', {
        headers: { 'x-pollcast-service-token': 'x'.repeat(40) },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ requestId: expect.any(String), message: expect.any(String) });
    });

    it('verifies tenant credentials', async () => {
      const verified = await internal<Record<string, unknown>>('POST', '/internal/auth/verify', {
        authorization: tenantB.authorization,
      });
      expect(verified.body).toEqual({
        organizationId: tenantB.organizationId,
        userId: expect.any(String),
        instanceId: null,
      });
      expect(
        (await internal('POST', '/internal/auth/verify', { authorization: 'User a, Organization b' })).status,
      ).toBe(401);
      expect((await internal('POST', '/internal/auth/verify', {})).status).toBe(400);
    });

    it('hands out the access token, refreshing it exactly once for concurrent callers (also across replicas)', async () => {
      const instance = await createInstance(tenantA);
      const plain = await internal<{ accessToken: string }>(
        'POST',
        `/internal/instances/${instance.id}/access-token`,
        {},
      );
      expect(plain.status).toBe(200);
      expect(sim.oauth.isValidAccessToken(plain.body.accessToken)).toBe(true);

      // A second replica on the same database: the row lock, not only the in-process queue, must hold.
      const replica = await startService(instanceServiceOptions({ ...env, OUTBOX_RELAY_ENABLED: 'false' }));
      try {
        const refreshesBefore = sim.requests
          .list({ limit: 10000 })
          .filter((request) => request.summary?.['grant_type'] === 'refresh_token').length;
        const urls = [service.url, replica.url];
        const answers = await Promise.all(
          Array.from({ length: 16 }, async (_, index) => {
            const response = await fetch(
              `${urls[index % 2]}/internal/instances/${instance.id}/access-token`,
              {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-pollcast-service-token': SERVICE_TOKEN },
                body: JSON.stringify({ rejectedToken: plain.body.accessToken }),
              },
            );
            return (await response.json()) as { accessToken: string };
          }),
        );
        const tokens = new Set(answers.map((answer) => answer.accessToken));
        expect(tokens.size).toBe(1);
        expect(tokens.has(plain.body.accessToken)).toBe(false);
        const refreshes = sim.requests
          .list({ limit: 10000 })
          .filter((request) => request.summary?.['grant_type'] === 'refresh_token').length;
        expect(refreshes - refreshesBefore).toBe(1);
      } finally {
        await replica.close();
      }
    });

    it('marks the instance invalid when the provider refuses the refresh, and publishes that', async () => {
      const instance = await createInstance(tenantA);
      sim.oauth.revokeAll(CLIENT_ID);
      const refused = await internal('POST', `/internal/instances/${instance.id}/access-token`, {
        forceRefresh: true,
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        valid: false,
        code: 'CREDENTIALS_INVALID',
        message: expect.any(String),
        requestId: expect.any(String),
        errors: [],
      });
      expect(
        (
          await api('GET', `/elements/api-v2/instances/${instance.id}`, {
            authorization: tenantA.authorization,
          })
        ).body.valid,
      ).toBe(false);
      await waitFor(() => snapshotsOf(instance.id).some((message) => message.value?.['valid'] === false), {
        what: 'the valid:false snapshot',
      });
      // A new grant code repairs it.
      const repaired = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
        authorization: tenantA.authorization,
        body: { providerData: { code: await grantCode(tenantA) } },
      });
      expect(repaired.body.valid).toBe(true);
      expect((await internal('POST', `/internal/instances/${instance.id}/access-token`, {})).status).toBe(
        200,
      );
      expect((await internal('POST', '/internal/instances/424242424/access-token', {})).status).toBe(404);
    });

    it('disables events on request and publishes the snapshot', async () => {
      const instance = await createInstance(tenantA);
      const disabled = await internal('POST', `/internal/instances/${instance.id}/events/disable`, {
        reason: 'callback answered 410 Gone',
      });
      expect(disabled.status).toBe(204);
      expect((await internal('GET', `/internal/instances/${instance.id}/delivery`)).body).toMatchObject({
        eventsEnabled: false,
        callbackUrl: expect.stringContaining('https://'),
      });
      await waitFor(() =>
        snapshotsOf(instance.id).some(
          (message) => (message.value?.['events'] as { enabled?: boolean } | undefined)?.enabled === false,
        ),
      );
      expect(
        (await internal('POST', '/internal/instances/424242424/events/disable', { reason: 'x' })).status,
      ).toBe(404);
    });
  });
});
