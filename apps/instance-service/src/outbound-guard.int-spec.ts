// The outbound guard at instance-service's door, on the real PostgreSQL and Kafka: tenant-aimed provider
// and callback URLs, connect-time refusals, retargeting without a new authorization, and provider calls
// kept out of database transactions (a provider that never answers must not stall other tenants).
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { classifyAddress } from '@pollcast/outbound-guard';
import { startService, type RunningService } from '@pollcast/service-kit';
import { createTestDatabase, kafkaBrokers, seedCurlBody, uniqueName } from '@pollcast/testing';
import type { Env } from './env';
import type { InstanceResponse } from './instances/instance-mapper';
import { instanceServiceOptions } from './service';
import { CreateOrganization } from './tenants/create-organization.use-case';
import { CreateUser } from './tenants/create-user.use-case';

const SERVICE_TOKEN = 'internal-service-token-0123456789';
const CLIENT_ID = 'Rand0MAP1-key';
const CLIENT_SECRET = 'fak3AP1-s3Cr3t';
const PROVIDER_TIMEOUT_MS = 4000;

interface Tenant {
  authorization: string;
}

interface ApiAnswer {
  status: number;
  body: { message?: string; errors?: Array<{ path: string; message: string }> } & Partial<InstanceResponse>;
}

// Every class the guard refuses, as a provider base URL (`maximizer.url`). The simulator's port keeps
// the loopback cases honest: something does listen there.
const refusedProviderUrls = (simPort: number): Array<[string, string]> => [
  ['loopback, another port', `http://127.0.0.1:${simPort + 1}`],
  ['loopback, another address', `http://127.0.0.2:${simPort}`],
  ['private', 'http://10.0.0.8:8080'],
  ['private 172.16/12', 'http://172.16.5.4'],
  ['private 192.168/16', 'http://192.168.1.1'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data'],
  ['CGNAT (Alibaba metadata)', 'http://100.100.100.200'],
  ['unspecified', 'http://0.0.0.0:8091'],
  ['decimal loopback, another port', `http://2130706433:${simPort + 1}`],
  ['IPv6 loopback', `http://[::1]:${simPort}`],
  ['IPv6 unique-local (AWS metadata)', 'http://[fd00:ec2::254]'],
  ['IPv6 link-local', 'http://[fe80::1]'],
  ['IPv4-mapped loopback', `http://[::ffff:127.0.0.1]:${simPort}`],
  ['IPv4-compatible loopback', `http://[::7f00:1]:${simPort}`],
  ['SIIT loopback', `http://[::ffff:0:7f00:1]:${simPort}`],
  ['6to4 loopback', `http://[2002:7f00:1::]:${simPort}`],
  ['Teredo loopback', `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${simPort}`],
  ['NAT64 loopback', `http://[64:ff9b::7f00:1]:${simPort}`],
  ['NAT64 local-use', 'http://[64:ff9b:1::a9fe:a9fe]'],
  ['localhost', `http://localhost:${simPort}`],
  ['trailing-dot localhost', `http://localhost.:${simPort}`],
  ['credentials in the URL', 'https://user:pass@caw.maximizercrmlive.com'],
  ['a host no element or operator allows', 'https://crm.evil.example'],
  ['a Maximizer host over plain http', 'http://caw.maximizercrmlive.com'],
  ['a non-http scheme', 'ftp://caw.maximizercrmlive.com'],
];

const refusedCallbackUrls: Array<[string, string]> = [
  ['loopback', 'http://127.0.0.1:8092/hook'],
  ['private', 'http://10.1.2.3/hook'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data'],
  ['IPv6 loopback', 'http://[::1]/hook'],
  ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
  ['IPv4-compatible loopback', 'http://[::7f00:1]/hook'],
  ['SIIT loopback', 'http://[::ffff:0:7f00:1]/hook'],
  ['6to4 loopback', 'http://[2002:7f00:1::]/hook'],
  ['Teredo loopback', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook'],
  ['NAT64 loopback', 'http://[64:ff9b::7f00:1]/hook'],
  ['localhost', 'http://localhost:8092/hook'],
  ['trailing-dot localhost', 'http://localhost./hook'],
];

describe('outbound guard in instance-service (real Postgres, Kafka, Maximizer simulator)', () => {
  let sim: MaximizerSimulator;
  let service: RunningService<Env>;
  let silent: Server;
  let silentPort: number;
  const silentSockets = new Set<Socket>();
  let tenantA: Tenant;
  let tenantB: Tenant;
  // The machine's own name resolves to loopback here (/etc/hosts): a name that passes every check
  // before the request and is refused only when dialled.
  const ownName = hostname();

  async function api(
    method: string,
    path: string,
    options: { body?: unknown; authorization?: string } = {},
  ): Promise<ApiAnswer> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as ApiAnswer['body']) };
  }

  async function grantCode(tenant: Tenant): Promise<string> {
    const query = new URLSearchParams({
      apiKey: CLIENT_ID,
      apiSecret: CLIENT_SECRET,
      callbackUrl: 'https://mycoolapp.com',
    });
    const answer = await api('GET', `/elements/api-v2/elements/maximizer/oauth/url?${query.toString()}`, {
      authorization: tenant.authorization,
    });
    const oauthUrl = (answer.body as { oauthUrl?: string }).oauthUrl ?? '';
    const response = await fetch(`${oauthUrl}&auto=1`, { redirect: 'manual' });
    const code = new URL(response.headers.get('location') ?? 'http://x/').searchParams.get('code');
    if (code === null) throw new Error(`no code from the simulator (${response.status})`);
    return code;
  }

  function bodyWith(code: string, configuration: Record<string, unknown>): Record<string, unknown> {
    const body = seedCurlBody({ code });
    return {
      ...body,
      configuration: { ...(body['configuration'] as Record<string, unknown>), ...configuration },
    };
  }

  async function createInstance(tenant: Tenant): Promise<InstanceResponse> {
    const created = await api('POST', '/elements/api-v2/instances', {
      authorization: tenant.authorization,
      body: seedCurlBody({ code: await grantCode(tenant) }),
    });
    expect(created.status).toBe(200);
    return created.body as InstanceResponse;
  }

  const tokenRequests = () =>
    sim.requests.list({ limit: 100000 }).filter((request) => request.summary?.['grant_type'] !== undefined)
      .length;

  beforeAll(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    sim.oauth.registerClient(CLIENT_ID, CLIENT_SECRET);
    // A provider that accepts connections and never answers.
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
    const simHost = new URL(sim.url).host;
    const simPort = new URL(sim.url).port;
    service = await startService(
      instanceServiceOptions({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        PORT: '0',
        DATABASE_URL: await createTestDatabase('instanceguard'),
        KAFKA_BROKERS: kafkaBrokers(),
        KAFKA_TOPIC_PARTITIONS: '1',
        POLLCAST_TOPIC_PREFIX: `${uniqueName('isguard')}.`,
        POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
        POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        MAXIMIZER_BASE_URL: sim.url,
        // Exactly the simulator and the silent provider by address; the machine's name by name (so its
        // loopback answer is refused when dialled).
        POLLCAST_PROVIDER_ALLOWED_HOSTS: `${simHost},127.0.0.1:${silentPort},${ownName}:${simPort}`,
        POLLCAST_ALLOW_PRIVATE_CALLBACKS: 'false',
        PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
        RATE_LIMIT_PER_SECOND: '1000',
        RATE_LIMIT_BURST: '1000',
      }),
    );
    const createOrganization = service.app.get(CreateOrganization);
    const createUser = service.app.get(CreateUser);
    const makeTenant = async (name: string) => {
      const { organization, secret } = await createOrganization.execute(name);
      const { secret: userSecret } = await createUser.execute(organization.id, `${name}@example.com`);
      return { authorization: `User ${userSecret}, Organization ${secret}` };
    };
    tenantA = await makeTenant(uniqueName('a'));
    tenantB = await makeTenant(uniqueName('b'));
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await service?.close();
    await sim?.close();
  });

  it('refuses a provider URL of every refused class with 400 naming configuration.maximizer.url, before using the code', async () => {
    const code = await grantCode(tenantA);
    const before = tokenRequests();
    const simPort = Number(new URL(sim.url).port);
    for (const [what, url] of refusedProviderUrls(simPort)) {
      const answer = await api('POST', '/elements/api-v2/instances', {
        authorization: tenantA.authorization,
        body: bodyWith(code, { 'maximizer.url': url }),
      });
      expect({ what, status: answer.status }).toEqual({ what, status: 400 });
      expect({ what, paths: answer.body.errors?.map((error) => error.path) }).toEqual({
        what,
        paths: ['configuration.maximizer.url'],
      });
      expect(JSON.stringify(answer.body)).not.toContain('pass@');
    }
    // No exchange was attempted, so the single-use code still works.
    expect(tokenRequests()).toBe(before);
    const created = await api('POST', '/elements/api-v2/instances', {
      authorization: tenantA.authorization,
      body: bodyWith(code, {}),
    });
    expect(created.status).toBe(200);
  });

  it('refuses the same provider URLs in a PATCH with a new code', async () => {
    const instance = await createInstance(tenantA);
    const simPort = Number(new URL(sim.url).port);
    for (const [what, url] of refusedProviderUrls(simPort)) {
      const answer = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
        authorization: tenantA.authorization,
        body: { configuration: { 'maximizer.url': url }, providerData: { code: 'fresh-code' } },
      });
      expect({ what, status: answer.status, paths: answer.body.errors?.map((error) => error.path) }).toEqual({
        what,
        status: 400,
        paths: ['configuration.maximizer.url'],
      });
    }
  });

  it('refuses a callback URL of every refused class with 400 naming its key', async () => {
    const code = await grantCode(tenantA);
    for (const [what, url] of refusedCallbackUrls) {
      const answer = await api('POST', '/elements/api-v2/instances', {
        authorization: tenantA.authorization,
        body: bodyWith(code, { 'event.notification.callback.url': url }),
      });
      expect({ what, status: answer.status, paths: answer.body.errors?.map((error) => error.path) }).toEqual({
        what,
        status: 400,
        paths: ['configuration.event.notification.callback.url'],
      });
      expect(answer.body.errors?.[0]?.message).toMatch(/refused by the outbound guard/);
    }
    const instance = await createInstance(tenantA);
    const patched = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
      authorization: tenantA.authorization,
      body: { configuration: { 'event.notification.callback.url': 'http://[::ffff:0:7f00:1]/hook' } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors?.map((error) => error.path)).toEqual([
      'configuration.event.notification.callback.url',
    ]);
  });

  it('refuses credentials in a callback URL without echoing them', async () => {
    const answer = await api('POST', '/elements/api-v2/instances', {
      authorization: tenantA.authorization,
      body: bodyWith(await grantCode(tenantA), {
        'event.notification.callback.url': 'https://bob:hunter2-secret@example.com/hook',
      }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((error) => error.path)).toEqual([
      'configuration.event.notification.callback.url',
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('hunter2');
  });

  it('refuses at connect time an allowed name that resolves to loopback, naming the key and nothing inside', async () => {
    const addresses = await lookup(ownName, { all: true });
    expect(addresses.some((entry) => !classifyAddress(entry.address).allowed)).toBe(true);
    const before = tokenRequests();
    const answer = await api('POST', '/elements/api-v2/instances', {
      authorization: tenantA.authorization,
      body: bodyWith(await grantCode(tenantA), {
        'maximizer.url': `http://${ownName}:${new URL(sim.url).port}`,
      }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((error) => error.path)).toEqual(['configuration.maximizer.url']);
    expect(answer.body.errors?.[0]?.message).toMatch(/provider URL refused by the outbound guard/);
    expect(JSON.stringify(answer.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|loopback/);
    // The simulator listens on that port, and was never reached.
    expect(tokenRequests()).toBe(before);
  });

  it('refuses a new provider base URL without a new authorization; a new code re-authorizes', async () => {
    const instance = await createInstance(tenantA);
    for (const configuration of [
      { 'maximizer.url': 'https://api.maximizer.com' },
      { 'maximizer.url': null, 'maximizer.datacenter': 'ukw' },
    ]) {
      const answer = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
        authorization: tenantA.authorization,
        body: { configuration },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.path).toMatch(/^configuration\.maximizer\.(url|datacenter)$/);
      expect(answer.body.errors?.[0]?.message).toMatch(/providerData\.code/);
    }
    // The same via the configuration entry route.
    const entry = await api(
      'PATCH',
      `/elements/api-v2/instances/${instance.id}/configuration/maximizer.url`,
      {
        authorization: tenantA.authorization,
        body: { propertyValue: 'https://api.maximizer.com' },
      },
    );
    expect(entry.status).toBe(400);
    // Nothing else changed, and changes that keep the provider still work.
    const renamed = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
      authorization: tenantA.authorization,
      body: { name: 'renamed' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.configuration?.['maximizer.url']).toBe(sim.url);
    // A new code re-authorizes (here for the same provider: the only other allowed origins are the
    // silent provider and a name refused when dialled).
    const moved = await api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
      authorization: tenantA.authorization,
      body: {
        configuration: { 'maximizer.url': `${sim.url}/` },
        providerData: { code: await grantCode(tenantA) },
      },
    });
    expect(moved.status).toBe(200);
  });

  it('refuses a body with U+0000 before exchanging its code: the code still works afterwards', async () => {
    const code = await grantCode(tenantA);
    const before = tokenRequests();
    const answer = await api('POST', '/elements/api-v2/instances', {
      authorization: tenantA.authorization,
      body: { ...bodyWith(code, {}), name: 'nul\u0000name' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((error) => error.path)).toEqual(['name']);
    expect(tokenRequests()).toBe(before);
    const created = await api('POST', '/elements/api-v2/instances', {
      authorization: tenantA.authorization,
      body: bodyWith(code, {}),
    });
    expect(created.status).toBe(200);
  });

  it('20 concurrent PATCHes with a new code against a provider that never answers leave other tenants answering in under 1 s', async () => {
    const instances = await Promise.all(Array.from({ length: 20 }, () => createInstance(tenantA)));
    const other = await createInstance(tenantB);
    const silentUrl = `http://127.0.0.1:${silentPort}`;
    const started = performance.now();
    const patches = instances.map((instance) =>
      api('PATCH', `/elements/api-v2/instances/${instance.id}`, {
        authorization: tenantA.authorization,
        body: {
          configuration: { 'maximizer.url': silentUrl },
          providerData: { code: `code-${instance.id}` },
        },
      }).then((answer) => ({ ...answer, ms: performance.now() - started })),
    );
    // Wait until the PATCHes are at the provider: 16 connections held open (the element transport's
    // per-origin cap; the other 4 exchanges queue for one), none answered.
    const deadline = Date.now() + 3000;
    while (silentSockets.size < 16 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(silentSockets.size).toBe(16);
    const latencies: number[] = [];
    while (performance.now() - started < PROVIDER_TIMEOUT_MS - 500) {
      const begin = performance.now();
      const answer = await api('GET', `/elements/api-v2/instances/${other.id}`, {
        authorization: tenantB.authorization,
      });
      latencies.push(performance.now() - begin);
      expect(answer.status).toBe(200);
      // A's own other reads too (row locks are not held either).
      const own = await api('GET', `/elements/api-v2/instances/${instances[0]?.id}`, {
        authorization: tenantA.authorization,
      });
      expect(own.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answers = await Promise.all(patches);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const max = sorted[sorted.length - 1] ?? 0;
    console.log(
      `GET /instances/{id} of another tenant during 20 hanging PATCHes: n=${latencies.length}, p50=${p50.toFixed(1)} ms, max=${max.toFixed(1)} ms; PATCHes answered ${[...new Set(answers.map((answer) => answer.status))].join(',')} after ${Math.min(...answers.map((answer) => answer.ms)).toFixed(0)}–${Math.max(...answers.map((answer) => answer.ms)).toFixed(0)} ms`,
    );
    expect(latencies.length).toBeGreaterThan(5);
    expect(max).toBeLessThan(1000);
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 504));
    // The timed-out exchanges changed nothing: the instances still point at the simulator.
    const unchanged = await api('GET', `/elements/api-v2/instances/${instances[0]?.id}`, {
      authorization: tenantA.authorization,
    });
    expect(unchanged.body.configuration?.['maximizer.url']).toBe(sim.url);
  });
});
