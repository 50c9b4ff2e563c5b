import { createHmac } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SimulatorClient } from '@pollcast/maximizer-sim';
import type { RequestSummary } from '@pollcast/webhook-sink';
import { registerKafkaCodecs } from '@pollcast/service-kit';
import { kafkaBrokers, waitFor } from '@pollcast/testing';

// The services produce zstd batches (KAFKA_PRODUCER_COMPRESSION); this process's kafkajs reads them too.
registerKafkaCodecs();

/** The simulator's default OAuth client (tools/maximizer-sim). */
export const SIM_CLIENT = { id: 'pollcast-dev', secret: 'pollcast-dev-secret' };

/** Walks the provider's authorize step as a script would (`auto=1`) and returns the grant code. */
export async function authorizeAtSimulator(simUrl: string, redirectUri: string): Promise<string> {
  const authorize = new URL('/OAuth2/default/Authorize', simUrl);
  authorize.search = new URLSearchParams({
    scope: 'data',
    response_type: 'code',
    redirect_uri: redirectUri,
    state: 'maximizer',
    client_id: SIM_CLIENT.id,
    auto: '1',
  }).toString();
  const response = await fetch(authorize, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}`);
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
}

/** What a test sets on a Maximizer instance it creates; the OAuth part is always the simulator's. */
export interface TestInstance {
  name: string;
  callbackUrl: string;
  refreshInterval: string;
  pollerConfiguration: Record<string, unknown>;
  tags?: string[];
  /** Signs callbacks (and makes the dispatcher ask instance-service for the key). */
  signatureKey?: string;
}

/**
 * Authorizes at the simulator and creates a Maximizer instance through the public API, as a tenant
 * would; returns the instance id (the API answers with a number, as Open Connectors does).
 */
export async function createInstance(
  platform: { instanceServiceUrl: string; simUrl: string; authorization: string },
  instance: TestInstance,
): Promise<string | number> {
  const oauthCallbackUrl = 'https://mycoolapp.com';
  const code = await authorizeAtSimulator(platform.simUrl, oauthCallbackUrl);
  const response = await fetch(`${platform.instanceServiceUrl}/elements/api-v2/instances`, {
    method: 'POST',
    headers: { authorization: platform.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      element: { key: 'maximizer' },
      providerData: { code },
      configuration: {
        'oauth.callback.url': oauthCallbackUrl,
        'oauth.api.key': SIM_CLIENT.id,
        'oauth.api.secret': SIM_CLIENT.secret,
        'event.notification.enabled': true,
        'event.notification.callback.url': instance.callbackUrl,
        'event.poller.refresh_interval': instance.refreshInterval,
        'event.poller.configuration': instance.pollerConfiguration,
        ...(instance.signatureKey ? { 'event.notification.signature.key': instance.signatureKey } : {}),
      },
      ...(instance.tags ? { tags: instance.tags } : {}),
      name: instance.name,
    }),
  });
  if (response.status >= 300) {
    throw new Error(`POST /instances answered ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { id: string | number }).id;
}

export interface SimRecord {
  Key: string;
  LastModifyDate: string;
  [field: string]: unknown;
}

export class Simulator {
  readonly client: SimulatorClient;
  constructor(readonly url: string) {
    this.client = new SimulatorClient(url);
  }
  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.client.control<T>(method, path, body);
    if (result.status >= 300)
      throw new Error(`${method} ${path} → ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  }
  create(entity: 'AbEntry' | 'Opportunity', fields: Record<string, unknown>): Promise<SimRecord> {
    return this.call('POST', `/records/${entity}`, fields);
  }
  update(
    entity: 'AbEntry' | 'Opportunity',
    key: string,
    fields: Record<string, unknown>,
  ): Promise<SimRecord> {
    return this.call('PATCH', `/records/${entity}/${encodeURIComponent(key)}`, fields);
  }
  delete(entity: 'AbEntry' | 'Opportunity', key: string): Promise<unknown> {
    return this.call('DELETE', `/records/${entity}/${encodeURIComponent(key)}`);
  }
  advanceClock(seconds: number): Promise<unknown> {
    return this.call('POST', '/clock/advance', { seconds });
  }
  fault(spec: Record<string, unknown>): Promise<unknown> {
    return this.call('POST', '/faults', spec);
  }
}

/** One Open Connectors event as a callback carries it, plus where it arrived. */
export interface DeliveredEvent {
  instanceId: string;
  eventType: string;
  objectId: string;
  objectType: string;
  date: string;
  webhookId: string;
}

interface OcNotification {
  message: {
    eventId: string;
    instanceId: string | number;
    elementKey: string;
    events: { eventType: string; objectId: string; objectType: string; elementKey: string; date: string }[];
    raw: Record<string, unknown>;
  };
}

export interface SinkRequest {
  seq: number;
  /** When the sink received it (its clock, ms since the epoch). */
  receivedAtMs: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  signatures: unknown;
  response: { status: number };
}

/** Requests the sink kept on a path, oldest first; `sinceSeq` fetches only those after it. */
export async function sinkRequests(
  sinkUrl: string,
  pathPrefix: string,
  sinceSeq?: number,
): Promise<SinkRequest[]> {
  const since = sinceSeq === undefined ? '' : `&since=${sinceSeq}`;
  const response = await fetch(
    `${sinkUrl}/_sink/requests?pathPrefix=${encodeURIComponent(pathPrefix)}&limit=10000${since}`,
  );
  const body = (await response.json()) as { requests: SinkRequest[] };
  return body.requests;
}

/** Every request the sink kept on a path after `sinceSeq`, page after page (10,000 a page). */
export async function allSinkRequests(
  sinkUrl: string,
  pathPrefix: string,
  sinceSeq: number,
): Promise<SinkRequest[]> {
  const all: SinkRequest[] = [];
  for (;;) {
    const page = await sinkRequests(sinkUrl, pathPrefix, all.at(-1)?.seq ?? sinceSeq);
    all.push(...page);
    if (page.length < 10_000) return all;
  }
}

/** What the sink kept on a path, without bodies (`view=summary`): cheap to poll while measuring. */
export async function sinkSummaries(
  sinkUrl: string,
  pathPrefix: string,
  sinceSeq = 0,
): Promise<RequestSummary[]> {
  const response = await fetch(
    `${sinkUrl}/_sink/requests?pathPrefix=${encodeURIComponent(pathPrefix)}&limit=50000&since=${sinceSeq}&view=summary`,
  );
  const body = (await response.json()) as { requests: RequestSummary[] };
  return body.requests;
}

/** Every event of every accepted (2xx) notification on a path. */
export function eventsOf(requests: SinkRequest[]): DeliveredEvent[] {
  return requests
    .filter((request) => request.response.status < 300)
    .flatMap((request) => {
      const notification = request.json as OcNotification;
      return notification.message.events.map((event) => ({
        instanceId: String(notification.message.instanceId),
        eventType: event.eventType,
        objectId: event.objectId,
        objectType: event.objectType,
        date: event.date,
        webhookId: request.headers['webhook-id'] ?? '',
      }));
    });
}

export function elementsSignature(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('base64')}`;
}

/** The plain kafkajs client the readers below use (it knows nothing of Pollcast). */
function readerKafka(): Kafka {
  return new Kafka({
    clientId: 'e2e-reader',
    brokers: kafkaBrokers().split(','),
    logLevel: logLevel.NOTHING,
  });
}

/**
 * Every record a topic holds now, read from the beginning up to its end offsets at the call, then the
 * reader leaves. For benchmarks: reading after the measured work keeps the reader's CPU out of it.
 */
export async function readTopicToEnd(topic: string): Promise<TopicReader['messages']> {
  const admin = readerKafka().admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const reader = new TopicReader(topic);
  await reader.start();
  try {
    await waitFor(
      () =>
        [...ends].every(([partition, end]) => end === 0n || (reader.nextOffsets.get(partition) ?? 0n) >= end),
      { what: `${topic} read to its end`, timeoutMs: 120000, intervalMs: 100 },
    );
  } finally {
    await reader.stop();
  }
  return reader.messages;
}

/** Reads a topic from the beginning with a plain kafkajs consumer that knows nothing of Pollcast. */
export class TopicReader {
  readonly messages: {
    key: string | null;
    value: unknown;
    headers: Record<string, string>;
    /** The record's Kafka timestamp (the producer's send time). */
    timestampMs: number;
  }[] = [];
  /** Per partition, the offset after the last record read. */
  readonly nextOffsets = new Map<number, bigint>();
  private consumer: Consumer | undefined;
  constructor(private readonly topic: string) {}
  async start(): Promise<void> {
    this.consumer = readerKafka().consumer({ groupId: `reader-${this.topic}-${Date.now()}` });
    await this.consumer.connect();
    await waitFor(
      async () => {
        await this.consumer?.subscribe({ topic: this.topic, fromBeginning: true });
        return true;
      },
      { what: `topic ${this.topic}`, timeoutMs: 60000, intervalMs: 500 },
    );
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.nextOffsets.set(partition, BigInt(message.offset) + 1n);
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        this.messages.push({
          key: message.key?.toString() ?? null,
          value: message.value ? (JSON.parse(message.value.toString()) as unknown) : null,
          headers,
          timestampMs: Number(message.timestamp),
        });
      },
    });
  }
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
