/* Test support for instance-service's HTTP integration tests (not built into dist): one running
 * service on a fresh database and unique topics, the Maximizer simulator, two tenants, and a consumer
 * collecting every instance snapshot. Each test file gets its own. */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { topicName } from '@pollcast/contracts';
import { closeElements } from '@pollcast/elements';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { startService, type RunningService } from '@pollcast/service-kit';
import {
  createTestDatabase,
  kafkaBrokers,
  seedCurlBody,
  seedTemplateBody,
  uniqueName,
} from '@pollcast/testing';
import { randomBytes } from 'node:crypto';
import type { Env } from '../env';
import type { InstanceResponse } from '../instances/instance-mapper';
import { instanceServiceOptions } from '../service';
import { CreateOrganization } from '../tenants/create-organization.use-case';
import { CreateUser } from '../tenants/create-user.use-case';

export const SERVICE_TOKEN = 'internal-service-token-0123456789';
export const CLIENT_ID = 'Rand0MAP1-key';
export const CLIENT_SECRET = 'fak3AP1-s3Cr3t';

/** The seed's curl body, verbatim except for the grant code (the seed leaves it empty). */
export const curlBody = (code: string) => seedCurlBody({ code });

/** The seed's first body (the template), with its placeholders filled in. */
export const templateBody = (code: string) =>
  seedTemplateBody({ code, apiKey: CLIENT_ID, apiSecret: CLIENT_SECRET });

export interface Tenant {
  organizationId: string;
  authorization: string;
}

export interface ApiError {
  requestId: string;
  message: string;
  errors: Array<{ path: string; message: string }>;
  valid?: boolean;
}

export interface SnapshotMessage {
  key: string;
  value: Record<string, unknown> | null;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface InstanceServiceHarness {
  readonly sim: MaximizerSimulator;
  readonly service: RunningService<Env>;
  readonly env: NodeJS.ProcessEnv;
  readonly databaseUrl: string;
  /** Two organizations, each with one user. */
  readonly tenantA: Tenant;
  readonly tenantB: Tenant;
  api<T = ApiError>(
    method: string,
    path: string,
    options?: { body?: unknown; authorization?: string; headers?: Record<string, string> },
  ): Promise<ApiAnswer<T>>;
  /** A call to the internal API, with the service token. */
  internal<T = ApiError>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** Walks the OAuth dance the way a client does: our oauth/url, then the provider's consent (auto). */
  grantCode(tenant: Tenant): Promise<string>;
  /** POST /instances with the given body or the seed's curl body and a fresh grant code; expects 200. */
  createInstance(tenant: Tenant, body?: Record<string, unknown>): Promise<InstanceResponse>;
  /** Every snapshot (or tombstone) published for an instance so far, in order. */
  snapshotsOf(id: number | string): SnapshotMessage[];
}

interface Started {
  sim: MaximizerSimulator;
  service: RunningService<Env>;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  tenantA: Tenant;
  tenantB: Tenant;
}

/** Registers the beforeAll / afterAll of one test file; the fields are set once beforeAll has run. */
export function useInstanceService(): InstanceServiceHarness {
  let started: Started | undefined;
  let consumer: Consumer | undefined;
  const snapshots: SnapshotMessage[] = [];
  const running = (): Started => {
    if (started === undefined) throw new Error('instance-service harness used before beforeAll');
    return started;
  };

  async function api<T = ApiError>(
    method: string,
    path: string,
    options: { body?: unknown; authorization?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(`${running().service.url}${path}`, {
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

  async function createTenant(service: RunningService<Env>, name: string): Promise<Tenant> {
    const { organization, secret: organizationSecret } = await service.app
      .get(CreateOrganization)
      .execute(name);
    const { secret: userSecret } = await service.app
      .get(CreateUser)
      .execute(organization.id, `${name.toLowerCase()}@example.com`);
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
    const sim = await createMaximizerSimulator({ port: 0 });
    sim.oauth.registerClient(CLIENT_ID, CLIENT_SECRET);
    const databaseUrl = await createTestDatabase('instance');
    const prefix = `${uniqueName('is')}.`;
    const topic = topicName('instances', prefix);
    const env: NodeJS.ProcessEnv = {
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
    // Set before anything else can fail, so that afterAll closes what did start.
    started = { sim, env, databaseUrl } as Started;
    started.service = await startService(instanceServiceOptions(env));
    started.tenantA = await createTenant(started.service, 'Acme');
    started.tenantB = await createTenant(started.service, 'Globex');
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
    await started?.service?.close();
    await started?.sim?.close();
    await closeElements();
  });

  return {
    get sim() {
      return running().sim;
    },
    get service() {
      return running().service;
    },
    get env() {
      return running().env;
    },
    get databaseUrl() {
      return running().databaseUrl;
    },
    get tenantA() {
      return running().tenantA;
    },
    get tenantB() {
      return running().tenantB;
    },
    api,
    internal,
    grantCode,
    createInstance,
    snapshotsOf: (id) => snapshots.filter((message) => message.key === String(id)),
  };
}
