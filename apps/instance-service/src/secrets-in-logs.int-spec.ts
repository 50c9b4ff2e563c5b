// Runs the built service as a process (its real pino output on stdout) and the tenant CLI, then checks
// that no secret ever reached a log line or a response.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeElements } from '@pollcast/elements';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const APP = join(ROOT, 'apps', 'instance-service');

describe('secrets never appear in logs or responses (built service as a process)', () => {
  let sim: MaximizerSimulator;
  let child: ChildProcess | undefined;
  let output = '';
  let env: NodeJS.ProcessEnv;
  let url: string;

  beforeAll(async () => {
    await run('npx', ['nx', 'run', '@pollcast/instance-service:build', '--outputStyle=static'], {
      cwd: ROOT,
    });
    sim = await createMaximizerSimulator({ port: 0 });
    sim.oauth.registerClient('log-test-client', 'client-secret-LOGCHECK-1');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env['PATH'],
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      PORT: String(port),
      DATABASE_URL: await createTestDatabase('instancelog'),
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PARTITIONS: '1',
      POLLCAST_TOPIC_PREFIX: `${uniqueName('islog')}.`,
      POLLCAST_SERVICE_TOKEN: 'service-token-LOGCHECK-0123456789',
      POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      POLLCAST_BOOTSTRAP_ORGANIZATION_SECRET: 'bootstrap-org-secret-LOGCHECK',
      POLLCAST_BOOTSTRAP_USER_SECRET: 'bootstrap-user-secret-LOGCHECK',
      MAXIMIZER_BASE_URL: sim.url,
      POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(sim.url).host,
      OUTBOX_POLL_INTERVAL_MS: '100',
    };
    child = spawn(process.execPath, [join(APP, 'dist', 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => (await fetch(`${url}/health/live`).catch(() => undefined))?.ok, {
      what: `the service to start (output so far: ${output.slice(-2000)})`,
      timeoutMs: 60000,
    });
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await sim?.close();
    await closeElements();
  });

  it('keeps every secret out of stdout/stderr and out of responses', async () => {
    const cli = async (...args: string[]) =>
      (await run(process.execPath, [join(APP, 'bin', 'pollcast.js'), ...args], { env })).stdout;
    const organizationOutput = await cli('org', 'create', '--name', 'Logcheck');
    const organizationId = /organization (\d+)/.exec(organizationOutput)?.[1] ?? '';
    const organizationSecret =
      /secret \(shown once, store it now\): (\S+)/.exec(organizationOutput)?.[1] ?? '';
    const userOutput = await cli('user', 'create', '--org', organizationId, '--email', 'log@example.com');
    const userSecret = /secret \(shown once, store it now\): (\S+)/.exec(userOutput)?.[1] ?? '';
    expect(organizationSecret).toMatch(/^[\w-]{43}$/);
    expect(userSecret).toMatch(/^[\w-]{43}$/);

    const authorization = `User ${userSecret}, Organization ${organizationSecret}`;
    const responses: string[] = [];
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      responses.push(text);
      return {
        status: response.status,
        json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
      };
    };

    const oauthUrl = await call(
      'GET',
      `/elements/api-v2/elements/maximizer/oauth/url?apiKey=log-test-client&apiSecret=client-secret-LOGCHECK-1&callbackUrl=${encodeURIComponent('https://app.example/cb')}`,
    );
    expect(oauthUrl.status).toBe(200);
    const consent = await fetch(`${String(oauthUrl.json?.['oauthUrl'])}&auto=1`, { redirect: 'manual' });
    const code = new URL(consent.headers.get('location') ?? 'x:').searchParams.get('code') ?? '';
    const configuration = {
      'oauth.api.key': 'log-test-client',
      'oauth.api.secret': 'client-secret-LOGCHECK-1',
      'oauth.callback.url': 'https://app.example/cb',
      'event.notification.enabled': true,
      'event.notification.callback.url': 'https://app.example/events',
      'event.notification.signature.key': 'signature-key-LOGCHECK',
    };
    const created = await call('POST', '/elements/api-v2/instances', {
      element: { key: 'maximizer' },
      providerData: { code },
      configuration,
      name: 'log check',
    });
    expect(created.status).toBe(200);
    const id = String(created.json?.['id']);
    const instanceToken = String(created.json?.['token']);
    await call('GET', `/elements/api-v2/instances/${id}`);
    await call('PATCH', `/elements/api-v2/instances/${id}`, {
      configuration: { 'event.poller.refresh_interval': 5 },
    });
    await call('PUT', `/elements/api-v2/instances/${id}`, {
      name: 'renamed',
      configuration: { ...configuration, 'oauth.api.secret': '********' },
    });
    await call('GET', `/elements/api-v2/instances/${id}/configuration`);
    await call('GET', '/elements/api-v2/instances', undefined, {
      authorization: 'User bootstrap-user-secret-LOGCHECK, Organization bootstrap-org-secret-LOGCHECK',
    });
    await call('GET', `/elements/api-v2/instances/${id}`, undefined, {
      authorization: `User ${userSecret}, Element ${instanceToken}`,
    });
    await call('GET', '/elements/api-v2/instances', undefined, {
      authorization: 'User wrong-LOGCHECK, Organization wrong-LOGCHECK',
    });

    const service = { 'x-pollcast-service-token': 'service-token-LOGCHECK-0123456789' };
    const first = await call('POST', `/internal/instances/${id}/access-token`, {}, service);
    const refreshed = await call(
      'POST',
      `/internal/instances/${id}/access-token`,
      { forceRefresh: true },
      service,
    );
    const accessTokens = [String(first.json?.['accessToken']), String(refreshed.json?.['accessToken'])];
    expect(accessTokens[0]).not.toBe(accessTokens[1]);
    await call('POST', '/internal/auth/verify', { authorization }, service);
    await call('GET', `/internal/instances/${id}/delivery`, undefined, {
      'x-pollcast-service-token': 'wrong-service-token-LOGCHECK',
    });
    await call('POST', `/elements/api-v2/instances/${id}/nope`, {
      'oauth.api.secret': 'client-secret-LOGCHECK-1',
    });
    await waitFor(() => output.includes('"instance created"'), { what: 'the creation log line' });

    const secrets = [
      organizationSecret,
      userSecret,
      instanceToken,
      code,
      ...accessTokens,
      'client-secret-LOGCHECK-1',
      'signature-key-LOGCHECK',
      'bootstrap-org-secret-LOGCHECK',
      'bootstrap-user-secret-LOGCHECK',
      'service-token-LOGCHECK-0123456789',
      'wrong-service-token-LOGCHECK',
      'wrong-LOGCHECK',
      String(env['POLLCAST_ENCRYPTION_KEYS']).slice(3),
    ];
    expect(output.length).toBeGreaterThan(1000);
    // The request log line of oauth/url is there, with the client secret masked.
    expect(output).toContain('apiSecret=********');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect({ secret, inLogs: output.includes(secret) }).toEqual({ secret, inLogs: false });
    }
    // Responses: only the instance token (Open Connectors returns it) and the internal access tokens.
    const publicResponses = responses.filter((text) => !text.includes('"accessToken"'));
    for (const secret of [
      'client-secret-LOGCHECK-1',
      'signature-key-LOGCHECK',
      organizationSecret,
      userSecret,
      code,
      ...accessTokens,
    ]) {
      expect({ secret, inResponses: publicResponses.some((text) => text.includes(secret)) }).toEqual({
        secret,
        inResponses: false,
      });
    }
  });
});
