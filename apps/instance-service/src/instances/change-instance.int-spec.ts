// Reading, changing and deleting instances over HTTP: every change publishes a new version; organizations stay apart.
import { waitFor } from '@pollcast/testing';
import { useInstanceService, type Tenant } from '../testing/instance-service-harness';
import type { ConfigurationEntry, InstanceResponse } from './instance-mapper';

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  const harness = useInstanceService();
  const { api, internal, createInstance, snapshotsOf } = harness;
  let tenantA: Tenant;
  let tenantB: Tenant;

  beforeAll(() => {
    ({ tenantA, tenantB } = harness);
  });

  describe('reading, changing and deleting', () => {
    it('GET one, GET list with tags[], PUT, PATCH, configuration, enabled, DELETE — each publishing a new version', async () => {
      const instance = await createInstance(tenantA);
      const path = `/elements/api-v2/instances/${instance.id}`;
      const auth = { authorization: tenantA.authorization };

      const got = await api<InstanceResponse>('GET', path, auth);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: instance.id, token: instance.token, version: 1 });

      const tagged = await api<InstanceResponse[]>(
        'GET',
        '/elements/api-v2/instances?tags[]=Docs&tags[]=other',
        auth,
      );
      expect(tagged.body.map((item) => item.id)).toContain(instance.id);
      const untagged = await api<InstanceResponse[]>('GET', '/elements/api-v2/instances?tags[]=absent', auth);
      expect(untagged.body).toEqual([]);

      // PUT with the configuration as GET returned it (secrets masked) keeps the stored secret.
      const replaced = await api<InstanceResponse>('PUT', path, {
        ...auth,
        body: { ...got.body, name: 'Renamed', tags: ['Docs', 'crm'] },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ name: 'Renamed', tags: ['Docs', 'crm'], version: 2 });
      const delivery = await internal<{ eventsEnabled: boolean; signatureKey: string | null }>(
        'GET',
        `/internal/instances/${instance.id}/delivery`,
      );
      expect(delivery.body).toMatchObject({ eventsEnabled: true, signatureKey: null });

      const patched = await api<InstanceResponse>('PATCH', path, {
        ...auth,
        body: {
          configuration: {
            'event.notification.signature.key': 'sig-key-123',
            'event.poller.refresh_interval': 5,
          },
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.configuration['event.notification.signature.key']).toBe('********');
      expect(
        (
          await internal<{ signatureKey: string | null }>(
            'GET',
            `/internal/instances/${instance.id}/delivery`,
          )
        ).body.signatureKey,
      ).toBe('sig-key-123');

      const invalidPatch = await api('PATCH', path, {
        ...auth,
        body: { configuration: { 'event.poller.refresh_interval': 0 } },
      });
      expect(invalidPatch.status).toBe(400);
      expect(invalidPatch.body.errors[0]?.path).toBe('configuration.event.poller.refresh_interval');

      const configuration = await api<ConfigurationEntry[]>('GET', `${path}/configuration`, auth);
      expect(configuration.status).toBe(200);
      const entry = configuration.body.find((item) => item.key === 'event.poller.refresh_interval');
      expect(entry).toMatchObject({ id: expect.any(Number), propertyValue: 5 });
      expect(configuration.body.find((item) => item.key === 'oauth.api.secret')?.propertyValue).toBe(
        '********',
      );
      const byId = await api<ConfigurationEntry>('PATCH', `${path}/configuration/${entry?.id ?? 0}`, {
        ...auth,
        body: { propertyValue: '30' },
      });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ key: 'event.poller.refresh_interval', propertyValue: '30' });
      const byKey = await api<ConfigurationEntry>(
        'PATCH',
        `${path}/configuration/event.notification.enabled`,
        {
          ...auth,
          body: { propertyValue: 'false' },
        },
      );
      expect(byKey.status).toBe(200);
      expect((await api<InstanceResponse>('GET', path, auth)).body.eventsEnabled).toBe(false);

      const disabled = await api<InstanceResponse>('DELETE', `${path}/enabled`, auth);
      expect(disabled.body.disabled).toBe(true);
      const enabled = await api<InstanceResponse>('PUT', `${path}/enabled`, auth);
      expect(enabled.body.disabled).toBe(false);

      const versions = await waitFor(() => {
        const values = snapshotsOf(instance.id).map((message) => message.value?.['version']);
        return values.includes(7) && values;
      });
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const disabledSnapshot = snapshotsOf(instance.id).find((message) => message.value?.['version'] === 6);
      expect(disabledSnapshot?.value?.['enabled']).toBe(false);

      const deleted = await api('DELETE', path, auth);
      expect(deleted.status).toBe(200);
      expect((await api('GET', path, auth)).status).toBe(404);
      await waitFor(() => snapshotsOf(instance.id).some((message) => message.value === null), {
        what: 'the tombstone',
      });
    });

    it('accepts an Element token for its own instance only', async () => {
      const first = await createInstance(tenantA);
      const second = await createInstance(tenantA);
      const userA = /User (\S+),/.exec(tenantA.authorization)?.[1];
      const elementAuth = { authorization: `User ${userA}, Element ${first.token}` };
      expect((await api('GET', `/elements/api-v2/instances/${first.id}`, elementAuth)).status).toBe(200);
      expect((await api('GET', `/elements/api-v2/instances/${second.id}`, elementAuth)).status).toBe(404);
      const list = await api<InstanceResponse[]>('GET', '/elements/api-v2/instances', elementAuth);
      expect(list.body.map((item) => item.id)).toEqual([first.id]);
      expect((await api('POST', '/elements/api-v2/instances', { ...elementAuth, body: {} })).status).toBe(
        403,
      );
      const verified = await internal<Record<string, unknown>>('POST', '/internal/auth/verify', {
        authorization: elementAuth.authorization,
      });
      expect(verified.body).toEqual({
        organizationId: tenantA.organizationId,
        userId: expect.any(String),
        instanceId: String(first.id),
      });
    });

    it("keeps organizations apart: B cannot read, change or delete A's instance, nor tell it exists", async () => {
      const instance = await createInstance(tenantA);
      const path = `/elements/api-v2/instances/${instance.id}`;
      const b = { authorization: tenantB.authorization };
      const nonexistent = await api('GET', '/elements/api-v2/instances/999999999', b);
      const attempts = [
        await api('GET', path, b),
        await api('PUT', path, { ...b, body: { name: 'stolen' } }),
        await api('PATCH', path, { ...b, body: { name: 'stolen' } }),
        await api('GET', `${path}/configuration`, b),
        await api('PATCH', `${path}/configuration/name`, { ...b, body: { propertyValue: 'x' } }),
        await api('PUT', `${path}/enabled`, b),
        await api('DELETE', `${path}/enabled`, b),
        await api('DELETE', path, b),
      ];
      for (const attempt of attempts) {
        expect(attempt.status).toBe(404);
        expect(attempt.body.message).toBe(nonexistent.body.message.replace('999999999', String(instance.id)));
      }
      expect(
        (await api<InstanceResponse[]>('GET', '/elements/api-v2/instances', b)).body.map((item) => item.id),
      ).not.toContain(instance.id);
      const stillThere = await api<InstanceResponse>('GET', path, { authorization: tenantA.authorization });
      expect(stillThere.body).toMatchObject({
        name: 'API Instance with Polling',
        disabled: false,
        version: 1,
      });
      expect((await api('GET', '/elements/api-v2/instances/not-a-number', b)).status).toBe(404);
      expect((await api('GET', '/elements/api-v2/instances/99999999999999999999999', b)).status).toBe(404);
    });
  });
});
