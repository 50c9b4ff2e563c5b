import type { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import type { MetricsRegistry } from '../metrics/metrics';

const byRegistry = new WeakMap<MetricsRegistry, ConsumerLagMetrics>();

/** A scrape must answer even with the broker gone: past this, the lag series are left out. */
const LAG_TIMEOUT_MS = 3000;

/**
 * `pollcast_consumer_lag_messages{group, topic, partition}`: the group's committed offset behind the
 * partition's high watermark, read from the broker at each scrape — so a consumer that stalls (no batches,
 * no commits) shows a growing lag, which a value set while consuming would not. One admin request pair per
 * watched group per scrape.
 */
export class ConsumerLagMetrics {
  private readonly watched = new Map<string, { groupId: string; topic: string }>();

  private constructor(kafka: Kafka, metrics: MetricsRegistry) {
    const watched = this.watched;
    new Gauge({
      name: 'pollcast_consumer_lag_messages',
      help: "Messages in a partition not yet committed by the consumer group (high watermark − group's offset)",
      labelNames: ['group', 'topic', 'partition'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        if (watched.size === 0) return;
        const lags = await withTimeout(readLags(kafka, [...watched.values()]), LAG_TIMEOUT_MS).catch(
          () => [],
        );
        for (const lag of lags) {
          this.set({ group: lag.groupId, topic: lag.topic, partition: String(lag.partition) }, lag.lag);
        }
      },
    });
  }

  static of(kafka: Kafka, metrics: MetricsRegistry): ConsumerLagMetrics {
    let found = byRegistry.get(metrics);
    if (!found) {
      found = new ConsumerLagMetrics(kafka, metrics);
      byRegistry.set(metrics, found);
    }
    return found;
  }

  watch(groupId: string, topic: string): void {
    this.watched.set(`${groupId}\u0000${topic}`, { groupId, topic });
  }
}

export interface PartitionLag {
  groupId: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Lag of each group on each partition of its topic; a group that never committed counts from the log start. */
export async function readLags(
  kafka: Kafka,
  groups: ReadonlyArray<{ groupId: string; topic: string }>,
): Promise<PartitionLag[]> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    const result: PartitionLag[] = [];
    for (const { groupId, topic } of groups) {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      for (const end of ends) {
        const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        const from = offset >= 0 ? offset : Number(end.low);
        result.push({ groupId, topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
      }
    }
    return result;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
