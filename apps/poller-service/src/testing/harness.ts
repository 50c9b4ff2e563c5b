/* Integration-test harness: starts the simulator in process; never built into dist (see the build
   script's ignore list) nor imported by the service. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import pino from 'pino';
import {
  rawChangeSchema,
  topicName,
  topicSpecs,
  type InstanceSnapshot,
  type RawChange,
  type ResourcePoller,
} from '@pollcast/contracts';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { KafkaClient, startService, type RunningService } from '@pollcast/service-kit';
import { createTestDatabase, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { AppModule } from '../app.module';
import { envSchema, type Env } from '../env';

export const SERVICE_TOKEN = 'test-service-token-0123456789';
export const ORG_AUTH = 'User u1, Organization o1';
export const OTHER_ORG_AUTH = 'User u2, Organization o2';
export const ORG_ID = 'org-1';

export interface TokenRequest {
  instanceId: string;
  forceRefresh: boolean;
  rejectedToken?: string;
}

/** Stands in for instance-service's internal API: access tokens from the simulator's OAuth server,
 * tenant verification from a fixed table. */
export interface FakeInstanceService {
  url: string;
  tokenRequests: TokenRequest[];
  /** Instances whose token request answers 404 / 409. */
  unknownInstances: Set<string>;
  invalidInstances: Set<string>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of request) body += (chunk as Buffer).toString();
  return body === '' ? {} : JSON.parse(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export async function startFakeInstanceService(sim: MaximizerSimulator): Promise<FakeInstanceService> {
  const tokens = new Map<string, { accessToken: string; expiresAt: string }>();
  const tenants: Record<string, { organizationId: string; userId: string; instanceId: string | null }> = {
    [ORG_AUTH]: { organizationId: ORG_ID, userId: 'user-1', instanceId: null },
    [OTHER_ORG_AUTH]: { organizationId: 'org-2', userId: 'user-2', instanceId: null },
  };
  const fake: Omit<FakeInstanceService, 'url' | 'close'> = {
    tokenRequests: [],
    unknownInstances: new Set(),
    invalidInstances: new Set(),
  };
  const issue = (instanceId: string) => {
    const issued = sim.oauth.issueTokens('pollcast-dev');
    const token = {
      accessToken: issued.access_token,
      expiresAt: new Date(Date.now() + issued.expires_in * 1000).toISOString(),
    };
    tokens.set(instanceId, token);
    return token;
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.headers['x-pollcast-service-token'] !== SERVICE_TOKEN) {
        sendJson(response, 401, { message: 'wrong service token' });
        return;
      }
      const body = (await readBody(request)) as Record<string, unknown>;
      const tokenPath = /^\/internal\/instances\/([^/]+)\/access-token$/.exec(request.url ?? '');
      if (request.method === 'POST' && tokenPath?.[1] !== undefined) {
        const instanceId = decodeURIComponent(tokenPath[1]);
        const forceRefresh = body.forceRefresh === true;
        const rejectedToken = typeof body.rejectedToken === 'string' ? body.rejectedToken : undefined;
        fake.tokenRequests.push({ instanceId, forceRefresh, rejectedToken });
        if (fake.unknownInstances.has(instanceId))
          return sendJson(response, 404, { message: 'unknown instance' });
        if (fake.invalidInstances.has(instanceId)) {
          return sendJson(response, 409, { message: 'refresh refused', valid: false });
        }
        const current = tokens.get(instanceId);
        const stale = forceRefresh && (rejectedToken === undefined || rejectedToken === current?.accessToken);
        return sendJson(response, 200, current && !stale ? current : issue(instanceId));
      }
      if (request.method === 'POST' && request.url === '/internal/auth/verify') {
        const tenant = tenants[String(body.authorization)];
        return tenant
          ? sendJson(response, 200, tenant)
          : sendJson(response, 401, { message: 'Invalid credentials' });
      }
      sendJson(response, 404, { message: 'no such route' });
    })().catch((error: unknown) => sendJson(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...fake,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const MAXIMIZER_DATE = "yyyy-MM-dd'T'HH:mm:ssXXX";

/** Canonical poller configuration of a Maximizer resource (the element's default, tweakable). */
export function resourceConfig(resource: string, overrides: Partial<ResourcePoller> = {}): ResourcePoller {
  return {
    resource,
    url: `/hubs/crm/${resource}?where=LastModifyDate>'\${date:${MAXIMIZER_DATE}}'`,
    idField: 'Key',
    updated: { field: 'LastModifyDate', format: MAXIMIZER_DATE, zone: 'GMT' },
    created: { field: 'CreationDate', format: MAXIMIZER_DATE, zone: 'GMT' },
    filterByUpdatedDate: true,
    filterByCurrentDate: false,
    createdCheckTolerance: 10,
    pageSize: 100,
    pollDelay: 0,
    ...overrides,
  };
}

export interface RawMessage {
  key: string;
  value: RawChange;
  correlationId: string | undefined;
}

/** One test file's world: a database, a topic prefix, a simulator, a fake instance-service, a producer
 * for instance snapshots and a consumer of the raw topic. */
export class PollerHarness {
  readonly raw: RawMessage[] = [];
  readonly pollers: RunningService<Env>[] = [];
  private rawConsumer: Consumer | undefined;
  private db: Client | undefined;

  private constructor(
    readonly sim: MaximizerSimulator,
    readonly instanceService: FakeInstanceService,
    readonly kafka: KafkaClient,
    readonly prefix: string,
    readonly databaseUrl: string,
  ) {}

  static async create(): Promise<PollerHarness> {
    const sim = await createMaximizerSimulator({ port: 0 });
    const instanceService = await startFakeInstanceService(sim);
    const kafka = new KafkaClient(
      uniqueName('poller-test'),
      kafkaBrokers().split(','),
      pino({ level: 'silent' }),
    );
    const prefix = `${uniqueName()}.`;
    const harness = new PollerHarness(
      sim,
      instanceService,
      kafka,
      prefix,
      await createTestDatabase('poller'),
    );
    await kafka.ensureTopics(
      topicSpecs(['instances', 'rawChanges', 'instancesDlq'], { prefix, partitions: 3 }),
    );
    await harness.startRawConsumer();
    return harness;
  }

  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.POLLER_TEST_LOG_LEVEL ?? 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PARTITIONS: '3',
      POLLCAST_TOPIC_PREFIX: this.prefix,
      INSTANCE_SERVICE_URL: this.instanceService.url,
      POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
      // The simulator is private (127.0.0.1): the allow-list admits exactly its address and port.
      POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(this.sim.url).host,
      POLLER_INTERVAL_UNIT: 'seconds',
      POLLER_START_JITTER_SECONDS: '0',
      POLLER_CLAIM_INTERVAL_MS: '50',
      POLLER_FAILURE_BACKOFF_BASE_SECONDS: '0.5',
      POLLER_FAILURE_BACKOFF_MAX_SECONDS: '2',
      POLLER_PAGE_RETRY_BASE_MS: '100',
      POLLER_ERROR_AFTER_FAILURES: '3',
      POLLER_SHUTDOWN_GRACE_MS: '2000',
      ...overrides,
    };
  }

  async startPoller(overrides: Record<string, string> = {}): Promise<RunningService<Env>> {
    const poller = await startService({
      service: 'poller-service',
      envSchema,
      createModule: (env) => AppModule.register(env),
      env: this.env(overrides),
    });
    this.pollers.push(poller);
    return poller;
  }

  async stopPoller(poller: RunningService<Env>): Promise<void> {
    this.pollers.splice(this.pollers.indexOf(poller), 1);
    await poller.close();
  }

  snapshot(
    id: string,
    overrides: Partial<InstanceSnapshot> & { resources?: ResourcePoller[]; intervalSeconds?: number } = {},
  ): InstanceSnapshot {
    const { resources, intervalSeconds, ...rest } = overrides;
    const now = new Date().toISOString();
    return {
      id,
      organizationId: ORG_ID,
      elementKey: 'maximizer',
      name: id,
      tags: [],
      enabled: true,
      valid: true,
      elementConfig: { 'maximizer.url': this.sim.url, 'maximizer.alias': 'sim' },
      events: {
        enabled: true,
        vendorType: 'polling',
        hasSignatureKey: false,
        refreshIntervalMinutes: intervalSeconds ?? 1, // seconds: POLLER_INTERVAL_UNIT=seconds
        resources: resources ?? [resourceConfig('companies')],
      },
      createdAt: now,
      updatedAt: now,
      version: 1,
      ...rest,
    };
  }

  async publishSnapshot(snapshot: InstanceSnapshot): Promise<void> {
    await this.kafka.publish(topicName('instances', this.prefix), [{ key: snapshot.id, value: snapshot }]);
  }

  /** Publishes an instance polling every `intervalSeconds` and waits for its first successful poll. */
  async liveInstance(instanceId: string, intervalSeconds = 1): Promise<void> {
    await this.publishSnapshot(this.snapshot(instanceId, { intervalSeconds }));
    await waitFor(async () => (await this.runs(instanceId)).some((run) => run.status === 'succeeded'), {
      what: `a first successful poll of ${instanceId}`,
    });
  }

  async publishTombstone(instanceId: string): Promise<void> {
    await this.kafka.publish(topicName('instances', this.prefix), [{ key: instanceId, value: null }]);
  }

  rawFor(instanceId: string, resource?: string): RawMessage[] {
    return this.raw.filter(
      (message) =>
        message.value.instanceId === instanceId &&
        (resource === undefined || message.value.resource === resource),
    );
  }

  async query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    if (!this.db) {
      this.db = new Client({ connectionString: this.databaseUrl });
      await this.db.connect();
    }
    return (await this.db.query(sql, parameters)).rows as T[];
  }

  async schedule(instanceId: string, resource: string) {
    const [row] = await this.query<{
      watermark: Date;
      next_due_at: Date;
      state: string;
      consecutive_failures: number;
      last_error: string | null;
      current_poll_id: string | null;
      active: boolean;
    }>(`SELECT * FROM poller.schedules WHERE instance_id = $1 AND resource = $2`, [instanceId, resource]);
    return row;
  }

  async runs(instanceId: string) {
    return this.query<{
      id: string;
      resource: string;
      status: string;
      error_kind: string | null;
      error: string | null;
      records: number;
      pages: number;
      owner: string;
      started_at: Date;
      finished_at: Date;
      window_from: Date;
      window_to: Date;
    }>(`SELECT * FROM poller.poll_runs WHERE instance_id = $1 ORDER BY started_at`, [instanceId]);
  }

  private async startRawConsumer(): Promise<void> {
    const consumer = this.kafka.kafka.consumer({ groupId: uniqueName('raw-reader'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('rawChanges', this.prefix), fromBeginning: true });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      assigned = true;
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = rawChangeSchema.parse(JSON.parse(message.value?.toString() ?? 'null'));
        this.raw.push({
          key: message.key?.toString() ?? '',
          value,
          correlationId: message.headers?.['pollcast-correlation-id']?.toString(),
        });
      },
    });
    const deadline = Date.now() + 30000;
    while (!assigned && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    this.rawConsumer = consumer;
  }

  async close(): Promise<void> {
    for (const poller of [...this.pollers]) await poller.close().catch(() => undefined);
    await this.rawConsumer?.disconnect();
    await this.kafka.disconnect();
    await this.db?.end();
    await this.instanceService.close();
    await this.sim.close();
  }
}
