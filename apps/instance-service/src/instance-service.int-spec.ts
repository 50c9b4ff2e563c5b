import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { instanceSnapshotSchema, topicName } from '@pollcast/contracts';
import { closeElements } from '@pollcast/elements';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { KafkaClient, startService, type RunningService } from '@pollcast/service-kit';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueName,
  waitFor,
  seedCurlBody,
  seedTemplateBody,
} from '@pollcast/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Env } from './env';
import type { ConfigurationEntry, InstanceResponse } from './instances/instance-mapper';
import { OutboxRelay } from './outbox/outbox.service';
import { instanceServiceOptions } from './service';
import { TenantsService } from './tenants/tenants.service';

const SERVICE_TOKEN = 'internal-service-token-0123456789';
const CLIENT_ID = 'Rand0MAP1-key';
const CLIENT_SECRET = 'fak3AP1-s3Cr3t';

/** The seed's curl body, verbatim except for the grant code (the seed leaves it empty). */
const curlBody = (code: string) => seedCurlBody({ code });

/** The seed's first body (the template), with its placeholders filled in. */
const templateBody = (code: string) =>
  seedTemplateBody({ code, apiKey: CLIENT_ID, apiSecret: CLIENT_SECRET });

interface Tenant {
  organizationId: string;
  authorization: string;
}

interface ApiError {
  requestId: string;
  message: string;
  errors: Array<{ path: string; message: string }>;
  valid?: boolean;
}

interface SnapshotMessage {
  key: string;
  value: Record<string, unknown> | null;
}

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  let sim: MaximizerSimulator;
  let service: RunningService<Env>;
  let env: NodeJS.ProcessEnv;
  let databaseUrl: string;
  let topic: string;
  let consumer: Consumer;
  const snapshots: SnapshotMessage[] = [];
  let tenantA: Tenant;
  let tenantB: Tenant;

  async function api<T = ApiError>(
    method: string,
    path: string,
    options: { body?: unknown; authorization?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /** Walks the OAuth dance the way a client does: our oauth/url, then the provider's consent (auto). */
  async function grantCode(tenant: Tenant): Promise<string> {
    const query = new URLSearchParams({
      apiKey: CLIENT_ID,
      apiSecret: CLIENT_SECRET,
      callbackUrl: 'https://mycoolapp.com',
    });
    const { status, body } = await api<{ oauthUrl: string }>(
      'GET',
      `/elements/api-v2/elements/maximizer/oauth/url?${query.toString()}`,
      {
        authorization: tenant.authorization,
      },
    );
    expect(status).toBe(200);
    const response = await fetch(`${body.oauthUrl}&auto=1`, { redirect: 'manual' });
    const location = response.headers.get('location');
    const code = location === null ? null : new URL(location).searchParams.get('code');
    if (code === null) throw new Error(`no code from the simulator (${response.status})`);
    return code;
  }

  async function createTenant(name: string): Promise<Tenant> {
    const tenants = service.app.get(TenantsService);
    const { organization, secret: organizationSecret } = await tenants.createOrganization(name);
    const { secret: userSecret } = await tenants.createUser(
      organization.id,
      `${name.toLowerCase()}@example.com`,
    );
    return {
      organizationId: organization.id,
      authorization: `User ${userSecret}, Organization ${organizationSecret}`,
    };
  }

  async function createInstance(tenant: Tenant, body?: Record<string, unknown>): Promise<InstanceResponse> {
    const created = await api<InstanceResponse>('POST', '/elements/api-v2/instances', {
      authorization: tenant.authorization,
      body: body ?? curlBody(await grantCode(tenant)),
    });
    expect(created.status).toBe(200);
    return created.body;
  }

  function internal<T = ApiError>(method: string, path: string, body?: unknown) {
    return api<T>(method, path, { headers: { 'x-pollcast-service-token': SERVICE_TOKEN }, body });
  }

  beforeAll(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    sim.oauth.registerClient(CLIENT_ID, CLIENT_SECRET);
    databaseUrl = await createTestDatabase('instance');
    const prefix = `${uniqueName('is')}.`;
    topic = topicName('instances', prefix);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PARTITIONS: '1',
      POLLCAST_TOPIC_PREFIX: prefix,
      POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
      POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      MAXIMIZER_BASE_URL: sim.url,
      // The simulator is private (127.0.0.1): the allow-list admits exactly its address and port.
      POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(sim.url).host,
      OUTBOX_POLL_INTERVAL_MS: '100',
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    };
    service = await startService(instanceServiceOptions(env));
    tenantA = await createTenant('Acme');
    tenantB = await createTenant('Globex');
    const kafka = new Kafka({
      clientId: 'instance-service-test',
      brokers: kafkaBrokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    consumer = kafka.consumer({ groupId: uniqueName('is-test') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        snapshots.push({
          key: message.key?.toString() ?? '',
          value:
            message.value === null ? null : (JSON.parse(message.value.toString()) as Record<string, unknown>),
        });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await service?.close();
    await sim?.close();
    await closeElements();
  });

  const snapshotsOf = (id: number | string) => snapshots.filter((message) => message.key === String(id));

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

  describe('elements', () => {
    it('lists elements, describes one with its default poller configuration, and builds the authorize URL', async () => {
      const auth = { authorization: tenantA.authorization };
      const list = await api<Array<{ key: string }>>('GET', '/elements/api-v2/elements', auth);
      expect(list.body.map((element) => element.key)).toEqual(['maximizer']);
      const maximizer = await api<{ defaultPollerConfiguration: Record<string, unknown> }>(
        'GET',
        '/elements/api-v2/elements/maximizer',
        auth,
      );
      expect(maximizer.body).toMatchObject({
        key: 'maximizer',
        hub: 'crm',
        defaultRefreshIntervalMinutes: 15,
      });
      expect(Object.keys(maximizer.body.defaultPollerConfiguration).sort()).toEqual([
        'addressbook-entries',
        'companies',
        'contacts',
        'opportunities',
      ]);
      expect((await api('GET', '/elements/api-v2/elements/nope', auth)).status).toBe(404);
      const url = await api<{ oauthUrl: string; element: string }>(
        'GET',
        '/elements/api-v2/elements/maximizer/oauth/url?apiKey=abc&apiSecret=s&callbackUrl=https%3A%2F%2Fapp.example%2Fcb&state=xyz&siteAddress=https%3A%2F%2Fcrm.example.com&maximizer.alias=acme',
        auth,
      );
      expect(url.body).toEqual({
        element: 'maximizer',
        oauthUrl:
          'https://crm.example.com/OAuth2/acme/Authorize?scope=data&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=xyz&client_id=abc',
      });
      const missing = await api('GET', '/elements/api-v2/elements/maximizer/oauth/url', auth);
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((error) => error.path)).toEqual(['apiKey', 'callbackUrl']);
    });

    it('serves the OpenAPI document with the public and internal routes', async () => {
      const document = await api<{ paths: Record<string, unknown> }>('GET', '/docs-json');
      expect(document.status).toBe(200);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining([
          '/elements/api-v2/instances',
          '/elements/api-v2/instances/{id}',
          '/elements/api-v2/instances/{id}/configuration/{configId}',
          '/elements/api-v2/elements/{key}/oauth/url',
          '/internal/instances/{id}/access-token',
        ]),
      );
      expect((await api('GET', '/health/live')).status).toBe(200);
    });
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
        message: expect.any(String),
        requestId: expect.any(String),
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
        const left = await database.query('SELECT count(*)::int AS n FROM instance.outbox');
        expect(left.rows[0].n).toBe(0);
      } finally {
        stopMainRelay.mockRestore();
        await database.end();
      }
    });
  });
});
