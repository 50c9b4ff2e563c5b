import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { DLQ_HEADER_PREFIX, HEADERS } from '@pollcast/contracts';
import { javaCompatiblePartitioner } from '../partitioner';

/** DLQ topics are named `<prefix><source topic without .v1>.dlq.v1` (see TOPICS in contracts). */
export const DLQ_TOPIC_SUFFIX = '.dlq.v1';

export interface DlqPartitionCount {
  partition: number;
  /** First offset still in the topic. */
  low: string;
  /** Offset the next message will get. */
  high: string;
  count: number;
}

export interface DlqTopicCount {
  topic: string;
  total: number;
  partitions: DlqPartitionCount[];
}

/** Every DLQ topic (optionally only those with the given prefix) and how many messages it holds. */
export async function listDlqTopics(
  kafka: Kafka,
  options: { prefix?: string } = {},
): Promise<DlqTopicCount[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics())
      .filter((topic) => topic.endsWith(DLQ_TOPIC_SUFFIX) && topic.startsWith(options.prefix ?? ''))
      .sort();
    const result: DlqTopicCount[] = [];
    for (const topic of topics) {
      const partitions = (await admin.fetchTopicOffsets(topic))
        .map(({ partition, low, high }) => ({
          partition,
          low,
          high,
          count: Number(BigInt(high) - BigInt(low)),
        }))
        .sort((a, b) => a.partition - b.partition);
      result.push({ topic, total: partitions.reduce((sum, p) => sum + p.count, 0), partitions });
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

export interface DlqRange {
  topic: string;
  partition: number;
  /** First offset (inclusive); defaults to the first still in the topic. */
  from?: bigint;
  /** Last offset (inclusive); defaults to the last in the topic now. */
  to?: bigint;
}

/** The range clamped to what the partition holds now; `undefined` when it holds nothing of it. */
async function resolveRange(
  kafka: Kafka,
  range: DlqRange,
): Promise<{ from: bigint; to: bigint } | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(range.topic);
    const partition = offsets.find((p) => p.partition === range.partition);
    if (!partition) throw new Error(`${range.topic} has no partition ${range.partition}`);
    const low = BigInt(partition.low);
    const last = BigInt(partition.high) - 1n;
    if (range.from !== undefined && range.from < low) {
      throw new Error(
        `offset ${range.from} of ${range.topic}[${range.partition}] is no longer in the topic (retention); the first is ${low}`,
      );
    }
    const from = range.from ?? low;
    const to = range.to === undefined || range.to > last ? last : range.to;
    return from <= to ? { from, to } : undefined;
  } finally {
    await admin.disconnect();
  }
}

const IDLE_TIMEOUT_MS = 30_000;

/** Calls `onBatch` with the messages of [from, to] of one partition, in offset order. */
async function readRange(
  kafka: Kafka,
  topic: string,
  partition: number,
  range: { from: bigint; to: bigint },
  onBatch: (messages: KafkaMessage[]) => Promise<void>,
): Promise<void> {
  // A group of its own, deleted afterwards: the services' groups and offsets are never touched.
  const groupId = `pollcast-dlq-tool-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  let failure: unknown;
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    const done = new Promise<void>((resolve, reject) => {
      // The range exists (resolveRange checked): silence this long means something is wrong.
      let idle: NodeJS.Timeout;
      const stillWaiting = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => reject(new Error(`no message of ${topic}[${partition}] arrived for ${IDLE_TIMEOUT_MS} ms`)),
          IDLE_TIMEOUT_MS,
        );
      };
      stillWaiting();
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== partition) return;
            stillWaiting();
            const wanted = batch.messages.filter((m) => {
              const offset = BigInt(m.offset);
              return offset >= range.from && offset <= range.to;
            });
            try {
              if (wanted.length > 0) await onBatch(wanted);
            } catch (error) {
              clearTimeout(idle);
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            const last = batch.messages.at(-1);
            if (last && BigInt(last.offset) >= range.to) {
              clearTimeout(idle);
              resolve();
            }
          },
        })
        .then(() => consumer.seek({ topic, partition, offset: range.from.toString() }))
        .catch(reject);
    });
    await done;
  } catch (error) {
    failure = error;
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  if (failure instanceof Error) throw failure;
  if (failure !== undefined) throw new Error('reading the DLQ failed');
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** What an operator may see of a dead letter: where it came from and why — never its value. */
export interface DlqEntry {
  offset: string;
  key: string | null;
  sourceTopic: string | undefined;
  sourcePartition: string | undefined;
  sourceOffset: string | undefined;
  service: string | undefined;
  attempts: string | undefined;
  failedAt: string | undefined;
  reason: string | undefined;
}

export async function showDlqRange(kafka: Kafka, range: DlqRange): Promise<DlqEntry[]> {
  const resolved = await resolveRange(kafka, range);
  if (!resolved) return [];
  const entries: DlqEntry[] = [];
  await readRange(kafka, range.topic, range.partition, resolved, async (messages) => {
    for (const message of messages) {
      entries.push({
        offset: message.offset,
        key: message.key?.toString() ?? null,
        sourceTopic: header(message.headers, HEADERS.dlqSourceTopic),
        sourcePartition: header(message.headers, HEADERS.dlqSourcePartition),
        sourceOffset: header(message.headers, HEADERS.dlqSourceOffset),
        service: header(message.headers, HEADERS.dlqService),
        attempts: header(message.headers, HEADERS.dlqAttempts),
        failedAt: header(message.headers, HEADERS.dlqFailedAt),
        reason: header(message.headers, HEADERS.dlqReason),
      });
    }
  });
  return entries;
}

export interface ReplaySummary {
  topic: string;
  partition: number;
  /** The range actually read (clamped to what the partition holds); undefined when empty. */
  from: string | undefined;
  to: string | undefined;
  replayed: number;
  /** Messages without a source topic header (and no --target): left in the DLQ. */
  skipped: number;
  /** Where they went, with counts. */
  targets: Record<string, number>;
}

export interface ReplayOptions extends DlqRange {
  /** Overrides the source topic recorded in each message's headers. */
  target?: string;
  dryRun?: boolean;
  onProgress?(progress: { replayed: number; skipped: number; lastOffset: string }): void;
}

/**
 * Publishes a DLQ range back to the topic each message came from (its `pollcast-dlq-source-topic`
 * header, or `target`): same key, same value bytes, the original headers without the DLQ ones, in
 * offset order, acks=all. The DLQ itself is left as it is (a replay can be repeated: consumers are
 * idempotent); a message that fails again is dead-lettered again, with fresh DLQ headers.
 */
export async function replayDlqRange(kafka: Kafka, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = {
    topic: options.topic,
    partition: options.partition,
    from: undefined,
    to: undefined,
    replayed: 0,
    skipped: 0,
    targets: {},
  };
  const resolved = await resolveRange(kafka, options);
  if (!resolved) return summary;
  summary.from = resolved.from.toString();
  summary.to = resolved.to.toString();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner, // the partition of the key, as every producer of ours
  });
  await producer.connect();
  try {
    await readRange(kafka, options.topic, options.partition, resolved, async (messages) => {
      const byTarget = new Map<string, Message[]>();
      const order: string[] = [];
      for (const message of messages) {
        const target = options.target ?? header(message.headers, HEADERS.dlqSourceTopic);
        if (!target) {
          summary.skipped += 1;
          continue;
        }
        const headers: IHeaders = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (!name.startsWith(DLQ_HEADER_PREFIX) && value !== undefined) headers[name] = value;
        }
        if (!byTarget.has(target)) {
          byTarget.set(target, []);
          order.push(target);
        }
        byTarget.get(target)?.push({ key: message.key, value: message.value, headers });
      }
      for (const target of order) {
        const outgoing = byTarget.get(target) ?? [];
        if (!options.dryRun) await producer.send({ topic: target, acks: -1, messages: outgoing });
        summary.replayed += outgoing.length;
        summary.targets[target] = (summary.targets[target] ?? 0) + outgoing.length;
      }
      options.onProgress?.({
        replayed: summary.replayed,
        skipped: summary.skipped,
        lastOffset: messages.at(-1)?.offset ?? '',
      });
    });
  } finally {
    await producer.disconnect();
  }
  return summary;
}
