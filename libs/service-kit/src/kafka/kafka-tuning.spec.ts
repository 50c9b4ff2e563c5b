import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { baseEnvSchema, EnvConfigError, parseEnv } from '../config/env';
import { DEFAULT_KAFKA_TUNING, kafkaTuningOptions, registerKafkaCodecs } from './kafka-tuning';

const required = { DATABASE_URL: 'postgres://u:p@db:5432/pollcast', KAFKA_BROKERS: 'kafka:9092' };
const parse = (env: Record<string, string>) =>
  parseEnv('test-service', baseEnvSchema, { ...required, ...env });

describe('Kafka compression and fetch sizes', () => {
  it('defaults to what the kafka benchmark kept: zstd, 1 MiB per partition, minBytes 1, 200 ms', () => {
    expect(kafkaTuningOptions(parse({}))).toEqual(DEFAULT_KAFKA_TUNING);
    expect(DEFAULT_KAFKA_TUNING).toEqual({
      compression: 'zstd',
      maxBytesPerPartition: 1_048_576,
      minBytes: 1,
      maxWaitTimeInMs: 200,
      sessionTimeoutMs: 30_000,
    });
  });

  it('takes each lever from the env', () => {
    const env = parse({
      KAFKA_PRODUCER_COMPRESSION: 'none',
      KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION: '262144',
      KAFKA_CONSUMER_MIN_BYTES: '65536',
      KAFKA_CONSUMER_MAX_WAIT_MS: '50',
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '10000',
    });
    expect(kafkaTuningOptions(env)).toEqual({
      compression: 'none',
      maxBytesPerPartition: 262_144,
      minBytes: 65_536,
      maxWaitTimeInMs: 50,
      sessionTimeoutMs: 10_000,
    });
  });

  it.each([
    ['KAFKA_PRODUCER_COMPRESSION', 'lz4'],
    ['KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION', '100'],
    ['KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION', '2097152'],
    ['KAFKA_CONSUMER_MIN_BYTES', '0'],
    ['KAFKA_CONSUMER_MAX_WAIT_MS', 'soon'],
    ['KAFKA_CONSUMER_SESSION_TIMEOUT_MS', '5000'],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    expect(() => parse({ [variable]: value })).toThrow(EnvConfigError);
    expect(() => parse({ [variable]: value })).toThrow(new RegExp(`${variable}: `));
  });

  it('gives kafkajs a zstd codec that round-trips a batch', async () => {
    registerKafkaCodecs();
    const codec = CompressionCodecs[CompressionTypes.ZSTD]() as {
      compress(encoder: { buffer: Buffer }): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    };
    const batch = Buffer.from(
      JSON.stringify({ records: Array.from({ length: 100 }, (_, i) => `record ${i}`) }),
    );
    const compressed = await codec.compress({ buffer: batch });
    expect(compressed.length).toBeLessThan(batch.length / 2);
    expect((await codec.decompress(compressed)).equals(batch)).toBe(true);
  });
});
