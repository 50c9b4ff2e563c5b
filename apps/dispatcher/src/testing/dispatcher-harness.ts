/* Test support for the dispatcher's integration tests (not built into dist). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { topicName, type InstanceSnapshot, type StandardEvent } from '@pollcast/contracts';
import { KafkaClient, startService, type RunningService } from '@pollcast/service-kit';
import { AppModule } from '../app.module';
import { envSchema, type Env } from '../env';

export const SERVICE_TOKEN = 'test-service-token-0123456789';

export interface FakeInstance {
  id: string;
  organizationId: string;
  callbackUrl: string | null;
  signatureKey: string | null;
  eventsEnabled: boolean;
}

/** instance-service's internal endpoints the dispatcher uses, over real HTTP. */
export interface FakeInstanceService {
  url: string;
  instances: Map<string, FakeInstance>;
  /** Authorization header → tenant. */
  tenants: Map<string, { organizationId: string; userId: string; instanceId: string | null }>;
  disabled: { instanceId: string; reason: string }[];
  deliveryLookups: number;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

export async function startFakeInstanceService(): Promise<FakeInstanceService> {
  const fake: Omit<FakeInstanceService, 'url' | 'close'> = {
    instances: new Map(),
    tenants: new Map(),
    disabled: [],
    deliveryLookups: 0,
  };
  const reply = (response: ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = createServer((request, response) => {
    void (async () => {
      if (request.headers['x-pollcast-service-token'] !== SERVICE_TOKEN)
        return reply(response, 401, { message: 'no' });
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (request.method === 'POST' && path === '/internal/auth/verify') {
        const body = (await readJson(request)) as { authorization?: string };
        const tenant = fake.tenants.get(body.authorization ?? '');
        return tenant
          ? reply(response, 200, tenant)
          : reply(response, 401, { message: 'Invalid credentials' });
      }
      const delivery = /^\/internal\/instances\/([^/]+)\/delivery$/.exec(path);
      if (request.method === 'GET' && delivery?.[1]) {
        fake.deliveryLookups += 1;
        const instance = fake.instances.get(decodeURIComponent(delivery[1]));
        if (!instance) return reply(response, 404, { message: 'not found' });
        return reply(response, 200, {
          instanceId: instance.id,
          organizationId: instance.organizationId,
          elementKey: 'maximizer',
          eventsEnabled: instance.eventsEnabled,
          callbackUrl: instance.callbackUrl,
          signatureKey: instance.signatureKey,
        });
      }
      const disable = /^\/internal\/instances\/([^/]+)\/events\/disable$/.exec(path);
      if (request.method === 'POST' && disable?.[1]) {
        const instanceId = decodeURIComponent(disable[1]);
        const body = (await readJson(request)) as { reason?: string };
        fake.disabled.push({ instanceId, reason: body.reason ?? '' });
        const instance = fake.instances.get(instanceId);
        if (instance) instance.eventsEnabled = false;
        response.writeHead(204).end();
        return;
      }
      reply(response, 404, { message: 'no route' });
    })().catch((error: unknown) => reply(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export async function startDispatcher(
  databaseUrl: string,
  prefix: string,
  instanceServiceUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningService<Env>> {
  return startService({
    service: 'dispatcher',
    envSchema,
    createModule: (env) => AppModule.register(env),
    env: {
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      KAFKA_TOPIC_PARTITIONS: '3',
      POLLCAST_TOPIC_PREFIX: prefix,
      INSTANCE_SERVICE_URL: instanceServiceUrl,
      POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
      POLLCAST_ALLOW_PRIVATE_CALLBACKS: 'true',
      DISPATCHER_POLL_INTERVAL_MS: '50',
      ...extraEnv,
    },
  });
}

export function snapshot(
  instance: FakeInstance,
  version = 1,
  overrides: Partial<InstanceSnapshot> = {},
): InstanceSnapshot {
  const now = new Date().toISOString();
  return {
    id: instance.id,
    organizationId: instance.organizationId,
    elementKey: 'maximizer',
    name: instance.id,
    tags: [],
    enabled: true,
    valid: true,
    elementConfig: {},
    events: {
      enabled: instance.eventsEnabled,
      vendorType: 'polling',
      ...(instance.callbackUrl ? { callbackUrl: instance.callbackUrl } : {}),
      hasSignatureKey: instance.signatureKey !== null,
      refreshIntervalMinutes: 15,
      resources: [],
    },
    createdAt: now,
    updatedAt: now,
    version,
    ...overrides,
  };
}

let eventCounter = 0;
export function standardEvent(
  instance: FakeInstance,
  resource = 'contacts',
  overrides: Partial<StandardEvent> = {},
): StandardEvent {
  eventCounter += 1;
  const objectId = `obj-${eventCounter}`;
  const date = new Date(Date.UTC(2026, 0, 15, 16, 54, eventCounter % 60)).toISOString();
  return {
    eventId: `${instance.id}-${resource}-${eventCounter}-${Math.random().toString(36).slice(2, 8)}`,
    eventType: 'UPDATED',
    objectId,
    objectType: resource,
    elementKey: 'maximizer',
    instanceId: instance.id,
    organizationId: instance.organizationId,
    date,
    pollId: 'poll-1',
    raw: { Key: objectId, Name: `Record ${eventCounter}` },
    op: 'u',
    source: {
      element: 'maximizer',
      instanceId: instance.id,
      resource,
      pollId: 'poll-1',
      window: { from: date },
      ts_ms: Date.parse(date),
    },
    ts_ms: Date.now(),
    ...overrides,
  };
}

/** A producer for the test's topics (the dispatcher creates them at start). */
export function testKafka(prefix: string) {
  const client = new KafkaClient(
    `${prefix}-test`,
    (process.env.KAFKA_BROKERS ?? '').split(','),
    pino({ level: 'silent' }),
  );
  return {
    client,
    publishSnapshots: (snapshots: InstanceSnapshot[]) =>
      client.publish(
        topicName('instances', prefix),
        snapshots.map((value) => ({ key: value.id, value })),
      ),
    publishEvents: (events: StandardEvent[]) =>
      client.publish(
        topicName('events', prefix),
        events.map((value) => ({
          key: `${value.instanceId}/${value.objectType}/${value.objectId}`,
          value,
          headers: { 'pollcast-correlation-id': value.pollId },
        })),
      ),
  };
}
