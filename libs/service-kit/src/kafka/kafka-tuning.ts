// Kafka-level levers measured by `npm run bench -- kafka` (BENCHMARKS.md, "Kafka client and levers"):
// the producer's compression codec and the consumer's fetch sizes, env-overridable (spread into
// baseEnvSchema), with the defaults that paid in that benchmark.
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { z } from 'zod';

export const KAFKA_COMPRESSION_CODECS = ['none', 'gzip', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSION_CODECS)[number];

const MIB = 1024 * 1024;

export const kafkaTuningEnvShape = {
  KAFKA_PRODUCER_COMPRESSION: z
    .enum(KAFKA_COMPRESSION_CODECS)
    .default('zstd')
    .describe(
      'Codec of every batch this service produces; zstd halves kafkajs’ CPU per produced message (its CRC32C ' +
        'runs over 7× fewer bytes) and stores ~1/7 of the bytes',
    ),
  KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(MIB)
    .default(MIB)
    .describe(
      'Bytes fetched per partition per fetch: the size of the batch a handler receives. At most the ' +
        'broker’s 1 MiB message.max.bytes: a handler republishing a larger batch uncompressed is refused',
    ),
  KAFKA_CONSUMER_MIN_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(8 * MIB)
    .default(1)
    .describe('The broker answers a fetch once it has this many bytes, or after KAFKA_CONSUMER_MAX_WAIT_MS'),
  KAFKA_CONSUMER_MAX_WAIT_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(200)
    .describe('Longest the broker holds a fetch waiting for KAFKA_CONSUMER_MIN_BYTES'),
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(6000)
    .max(300_000)
    .default(30_000)
    .describe(
      'How long the group coordinator waits for a member that stopped heartbeating before it rebalances ' +
        'its partitions away (within the broker’s group.min/max.session.timeout.ms); heartbeats every ' +
        'third of it, at most every 3 s',
    ),
};

type KafkaTuningEnv = z.infer<z.ZodObject<typeof kafkaTuningEnvShape>>;

export interface KafkaTuning {
  compression: KafkaCompression;
  maxBytesPerPartition: number;
  minBytes: number;
  maxWaitTimeInMs: number;
  sessionTimeoutMs: number;
}

export const DEFAULT_KAFKA_TUNING: KafkaTuning = {
  compression: 'zstd',
  maxBytesPerPartition: MIB,
  minBytes: 1,
  maxWaitTimeInMs: 200,
  sessionTimeoutMs: 30_000,
};

export function kafkaTuningOptions(env: KafkaTuningEnv): KafkaTuning {
  return {
    compression: env.KAFKA_PRODUCER_COMPRESSION,
    maxBytesPerPartition: env.KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION,
    minBytes: env.KAFKA_CONSUMER_MIN_BYTES,
    maxWaitTimeInMs: env.KAFKA_CONSUMER_MAX_WAIT_MS,
    sessionTimeoutMs: env.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
  };
}

export const KAFKAJS_COMPRESSION: Record<KafkaCompression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  zstd: CompressionTypes.ZSTD,
};

/**
 * kafkajs ships gzip only: zstd from Node's own zlib (Node ≥ 22.15; we pin 24), no native addon. The
 * registry is kafkajs' module-wide table, so every kafkajs client in a process that loaded service-kit
 * reads and writes zstd batches — also test readers and tools, which call this when they do not load
 * service-kit otherwise. Idempotent.
 */
export function registerKafkaCodecs(): void {
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: { buffer: Buffer }) => zstdCompressSync(encoder.buffer),
    decompress: async (buffer: Buffer) => zstdDecompressSync(buffer),
  });
}

registerKafkaCodecs();
