/**
 * `npm run bench -- kafka`: the Kafka client and the Kafka-level levers, on the real broker, in one run.
 *
 * 1. consume → produce pass-through (acks=all, idempotent producer, commit after each batch), kafkajs
 *    against @platformatic/kafka, alternating, BENCH_KAFKA_ROUNDS times: msg/s, CPU µs per message of
 *    this process (client work only: the loop does nothing else) and of the broker.
 * 2. producer compression (none, gzip, lz4, zstd): CPU µs per message to produce and to consume back,
 *    broker CPU, and the bytes the partitions hold on the broker (DescribeLogDirs).
 * 3. producer batching: messages per produce request (1 … 1000, one send at a time), kafkajs.
 * 4. consumer fetch sizes: maxBytesPerPartition, minBytes / maxWaitTimeInMs on the pass-through, kafkajs.
 *
 * Uses KAFKA_BROKERS when set (then BENCH_KAFKA_PID names the broker's pid for its CPU figure), else
 * starts its own broker on the bench ports. Env: BENCH_KAFKA_MESSAGES (default 50000, ~1 KB JSON each),
 * BENCH_KAFKA_PARTITIONS (6), BENCH_KAFKA_ROUNDS (3), BENCH_KAFKA_SECTIONS (pass,codec,batch,fetch),
 * BENCH_KAFKA_CLIENTS (kafkajs,platformatic; the codec section), BENCH_KAFKA_CODECS (none,gzip,lz4,zstd),
 * BENCH_KAFKA_PARTITIONER (service-kit, or kafkajs for its DefaultPartitioner). The benchmark compares
 * clients; services use the client only through @pollcast/service-kit's KafkaClient / ConsumerRunner.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Admin as PAdmin,
  Consumer as PConsumer,
  Producer as PProducer,
  type Message as PMessage,
} from '@platformatic/kafka';
import { lz4Compress, lz4Decompress } from '@platformatic/wasm-utils';
import {
  CompressionCodecs,
  CompressionTypes,
  Kafka,
  logLevel,
  Partitioners,
  type KafkaMessage,
} from 'kafkajs';
import { PROFILES, startInfra } from '@pollcast/dev';
import { registerKafkaCodecs } from '../src/kafka/kafka-tuning';
import { javaCompatiblePartitioner } from '../src/kafka/partitioner';
import { uniqueName } from '@pollcast/testing';

const MESSAGES = Number(process.env['BENCH_KAFKA_MESSAGES'] ?? 50_000);
const PARTITIONS = Number(process.env['BENCH_KAFKA_PARTITIONS'] ?? 6);
const ROUNDS = Number(process.env['BENCH_KAFKA_ROUNDS'] ?? 3);
// The services' partitioner (service-kit), or kafkajs' own to compare (BENCH_KAFKA_PARTITIONER=kafkajs).
const createPartitioner =
  process.env['BENCH_KAFKA_PARTITIONER'] === 'kafkajs'
    ? Partitioners.DefaultPartitioner
    : javaCompatiblePartitioner;
const log = (line: string) => process.stderr.write(`[bench:kafka] ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

// zstd: service-kit's codec (node:zlib), the one the services use; lz4 (wasm) to compare only.
registerKafkaCodecs();
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => lz4Compress(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4Decompress(buffer),
});

type ClientName = 'kafkajs' | 'platformatic';
type Codec = 'none' | 'gzip' | 'lz4' | 'zstd';
const KAFKAJS_CODEC: Record<Codec, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

interface Figures {
  rate: number;
  /** CPU µs per message of this process / of the broker. */
  cpuUs: number;
  brokerUs: number;
}

let brokers: string[] = [];
let brokerPid: number | undefined;

function brokerCpuSeconds(): number {
  if (brokerPid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${brokerPid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `work` and reports rate and CPU per message over the time it took. */
async function measure(messages: number, work: () => Promise<number | void>): Promise<Figures> {
  const cpu = process.cpuUsage();
  const broker = brokerCpuSeconds();
  const began = performance.now();
  const reported = await work();
  const seconds = (reported ?? performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    rate: messages / seconds,
    cpuUs: (used.user + used.system) / messages,
    brokerUs: ((brokerCpuSeconds() - broker) * 1e6) / messages,
  };
}

function sampleValue(index: number): string {
  const key = Buffer.from(`Contact\t${index}\tbench`).toString('base64');
  const modified = new Date(Date.parse('2024-01-15T10:00:00Z') + index * 7).toISOString();
  // About the size and shape of a raw Maximizer contact change (the normalizer bench's record).
  return JSON.stringify({
    instanceId: '3f1c2a9e-8d7b-4c1e-9a0f-1b2c3d4e5f60',
    organizationId: 'org-bench',
    elementKey: 'maximizer',
    resource: 'contacts',
    objectId: key,
    record: {
      Key: key,
      LastModifyDate: modified,
      CreationDate: modified,
      FirstName: `First${index}`,
      LastName: `Last${index}`,
      Email: `person${index}@example.com`,
      Phone1: { Number: '+1 604 555 0100', Extension: '' },
      Address: {
        AddressLine1: `${index} Main Street`,
        City: 'Vancouver',
        StateProvince: 'BC',
        Country: 'Canada',
      },
      Notes: randomBytes(96).toString('base64'),
    },
    pollId: `poll-${Math.floor(index / 100)}`,
    window: { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T11:00:00.000Z' },
    polledAt: '2024-01-15T11:00:00.000Z',
    page: Math.floor(index / 100),
    updated: { field: 'LastModifyDate', format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", zone: 'GMT' },
    created: { field: 'CreationDate', format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", zone: 'GMT' },
    createdCheckTolerance: 10,
    filterByUpdatedDate: true,
  });
}

const kafkajs = () => new Kafka({ clientId: 'bench-kafka', brokers, logLevel: logLevel.NOTHING });
const pAdmin = () => new PAdmin({ clientId: 'bench-kafka', bootstrapBrokers: brokers });

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafkajs().admin();
  await admin.connect();
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });
  await admin.disconnect();
}

/** Bytes the topic's partitions hold on the broker (all log segments). */
async function bytesOnBroker(topic: string): Promise<number> {
  const admin = pAdmin();
  try {
    const dirs = await admin.describeLogDirs({
      topics: [{ name: topic, partitions: Array.from({ length: PARTITIONS }, (_, i) => i) }],
    });
    let total = 0;
    for (const broker of dirs)
      for (const result of broker.results)
        for (const entry of result.topics)
          if (entry.name === topic)
            for (const partition of entry.partitions) total += Number(partition.partitionSize);
    return total;
  } finally {
    await admin.close();
  }
}

const keyed = (values: string[], from: number, count: number) =>
  Array.from({ length: count }, (_, j) => ({
    key: `k${from + j}`,
    value: values[(from + j) % values.length] ?? '',
  }));

/** Produces `count` messages in sends of `perSend`, `inFlight` sends at a time. */
async function produce(
  client: ClientName,
  topic: string,
  values: string[],
  options: { count?: number; perSend?: number; inFlight?: number; codec?: Codec } = {},
): Promise<void> {
  const { count = MESSAGES, perSend = 500, inFlight = 1, codec = 'none' } = options;
  let next = 0;
  const take = () => {
    if (next >= count) return undefined;
    const from = next;
    next += Math.min(perSend, count - from);
    return keyed(values, from, next - from);
  };
  if (client === 'kafkajs') {
    const producer = kafkajs().producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner });
    await producer.connect();
    const compression = KAFKAJS_CODEC[codec];
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let batch = take(); batch; batch = take())
          await producer.send({ topic, acks: -1, compression, messages: batch });
      }),
    );
    await producer.disconnect();
  } else {
    const producer = new PProducer({ clientId: 'bench-kafka', bootstrapBrokers: brokers, idempotent: true });
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let batch = take(); batch; batch = take())
          await producer.send({
            acks: -1,
            compression: codec,
            messages: batch.map((m) => ({ topic, key: Buffer.from(m.key), value: Buffer.from(m.value) })),
          });
      }),
    );
    await producer.close();
  }
}

interface FetchLevers {
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
}

/**
 * Consumes `source` from the beginning (a new group) until `count` messages are seen; with `sink`,
 * republishes each fetched batch (acks=all) before committing it, the ConsumerRunner's order. Returns the
 * milliseconds from the first message to the last one handled (group join left out).
 */
async function consume(
  client: ClientName,
  source: string,
  sink: string | undefined,
  levers: FetchLevers = {},
  count = MESSAGES,
): Promise<number> {
  let handled = 0;
  let began = 0;
  let done = () => {};
  let fail: (error: Error) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  // A handler that keeps failing (kafkajs retries the batch, silently here) must not hang the run.
  const guard = setTimeout(() => fail(new Error(`${client}: ${source} not consumed within 180 s`)), 180_000);
  void finished.finally(() => clearTimeout(guard)).catch(() => undefined);
  if (client === 'kafkajs') {
    const kafka = kafkajs();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner });
    await producer.connect();
    const consumer = kafka.consumer({
      groupId: uniqueName('bench-kafka-'),
      maxWaitTimeInMs: levers.maxWaitTimeInMs ?? 200,
      minBytes: levers.minBytes ?? 1,
      maxBytesPerPartition: levers.maxBytesPerPartition ?? 1_048_576,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (began === 0) began = performance.now();
        if (sink) {
          try {
            await producer.send({
              topic: sink,
              acks: -1,
              messages: batch.messages.map((m: KafkaMessage) => ({
                key: m.key,
                value: m.value,
                headers: m.headers,
              })),
            });
          } catch (error) {
            // kafkajs would retry the batch for ever, silently at this log level: end the case instead.
            fail(error instanceof Error ? error : new Error(String(error)));
            throw error;
          }
        }
        const last = batch.messages.at(-1);
        if (last)
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
          ]);
        handled += batch.messages.length;
        if (handled >= count) done();
      },
    });
    try {
      await finished;
      return performance.now() - began;
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  }
  const producer = new PProducer({ clientId: 'bench-kafka', bootstrapBrokers: brokers, idempotent: true });
  const consumer = new PConsumer({
    clientId: 'bench-kafka',
    groupId: uniqueName('bench-kafka-'),
    bootstrapBrokers: brokers,
    maxWaitTime: levers.maxWaitTimeInMs ?? 200,
    minBytes: levers.minBytes ?? 1,
    maxBytesPerPartition: levers.maxBytesPerPartition ?? 1_048_576,
  });
  const stream = await consumer.consume({ topics: [source], mode: 'earliest', autocommit: false });
  // The stream hands over one message at a time: a batch is what arrived before the loop got back to
  // the event loop (one fetch response), handled as kafkajs' eachBatch is — publish, then commit.
  let pending: PMessage[] = [];
  let scheduled = false;
  const flush = async () => {
    const batch = pending;
    pending = [];
    scheduled = false;
    stream.pause();
    if (sink)
      await producer.send({
        acks: -1,
        messages: batch.map((m) => ({ topic: sink, key: m.key, value: m.value, headers: m.headers })),
      });
    const lastOf = new Map<number, PMessage>();
    for (const message of batch) lastOf.set(message.partition, message);
    await consumer.commit({
      offsets: [...lastOf.values()].map((m) => ({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        leaderEpoch: m.leaderEpoch,
      })),
    });
    handled += batch.length;
    if (handled >= count) done();
    else stream.resume();
  };
  stream.on('data', (message: PMessage) => {
    if (began === 0) began = performance.now();
    pending.push(message);
    // At most about one kafkajs batch (a 1 MiB fetch) per send: the broker refuses larger record batches.
    if (pending.length >= 1000) stream.pause();
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void flush());
    }
  });
  await finished;
  const ms = performance.now() - began;
  await stream.close();
  await consumer.close(true);
  await producer.close();
  return ms;
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

async function passThroughSection(values: string[]): Promise<void> {
  const source = uniqueName('bench.kafka.src.');
  await createTopics(source);
  await produce('kafkajs', source, values);
  out(
    `\n### consume → produce pass-through, ${MESSAGES} messages of ~${values[0]?.length ?? 0} B, ${PARTITIONS} partitions`,
  );
  out(
    '| round | kafkajs msg/s | platformatic msg/s | ratio | kafkajs CPU µs/msg | platformatic CPU µs/msg | ratio | broker CPU µs/msg (kafkajs / platformatic) |',
  );
  out('| --: | --: | --: | --: | --: | --: | --: | --: |');
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order: ClientName[] = round % 2 === 1 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'];
    const figures = {} as Record<ClientName, Figures>;
    for (const client of order) {
      const sink = uniqueName('bench.kafka.dst.');
      await createTopics(sink);
      log(`pass-through round ${round}: ${client}`);
      figures[client] = await measure(MESSAGES, () => consume(client, source, sink));
    }
    const k = figures.kafkajs;
    const p = figures.platformatic;
    out(
      `| ${round} | ${fmt(k.rate)} | ${fmt(p.rate)} | ${fmt(p.rate / k.rate, 2)} | ${fmt(k.cpuUs, 1)} | ${fmt(p.cpuUs, 1)} | ${fmt(p.cpuUs / k.cpuUs, 2)} | ${fmt(k.brokerUs, 1)} / ${fmt(p.brokerUs, 1)} |`,
    );
  }
}

async function codecSection(values: string[]): Promise<void> {
  out(
    `\n### producer compression, ${MESSAGES} messages in sends of 500 (acks=all), then consumed back; ${ROUNDS} rounds, codecs in turn`,
  );
  out(
    '| round | client | codec | produce msg/s | produce CPU µs/msg | broker CPU µs/msg (produce) | bytes on broker | bytes/msg | consume CPU µs/msg |',
  );
  out('| --: | --- | --- | --: | --: | --: | --: | --: | --: |');
  const codecs = (process.env['BENCH_KAFKA_CODECS'] ?? 'none,gzip,lz4,zstd').split(',') as Codec[];
  const clients = (process.env['BENCH_KAFKA_CLIENTS'] ?? 'kafkajs,platformatic').split(',') as ClientName[];
  for (let round = 1; round <= ROUNDS; round += 1) {
    // Each round starts with another codec, so none of them always runs first (JIT warm-up, load).
    const order = codecs.map((_, i) => codecs[(i + round - 1) % codecs.length] ?? 'none');
    for (const client of clients) {
      for (const codec of order) {
        const topic = uniqueName(`bench.kafka.${codec}.`);
        await createTopics(topic);
        log(`codec round ${round}: ${client} ${codec}`);
        const produced = await measure(MESSAGES, () => produce(client, topic, values, { codec }));
        const bytes = await bytesOnBroker(topic);
        const consumed = await measure(MESSAGES, () => consume(client, topic, undefined));
        out(
          `| ${round} | ${client} | ${codec} | ${fmt(produced.rate)} | ${fmt(produced.cpuUs, 1)} | ${fmt(produced.brokerUs, 1)} | ${fmt(bytes)} | ${fmt(bytes / MESSAGES)} | ${fmt(consumed.cpuUs, 1)} |`,
        );
      }
    }
  }
}

async function batchingSection(values: string[]): Promise<void> {
  // One send at a time: kafkajs' idempotent producer fails concurrent sends to one partition with
  // OUT_OF_ORDER_SEQUENCE_NUMBER (seen here with 8 in flight), so this measures messages per request alone.
  out(`\n### producer batching (kafkajs, ${MESSAGES} messages, one send at a time, acks=all)`);
  out('| messages per send | msg/s | CPU µs/msg | broker CPU µs/msg |');
  out('| --: | --: | --: | --: |');
  for (const perSend of [1, 10, 100, 1000]) {
    const count = perSend === 1 ? Math.min(MESSAGES, 5_000) : MESSAGES;
    const topic = uniqueName('bench.kafka.batch.');
    await createTopics(topic);
    log(`batching ${perSend}`);
    const figures = await measure(count, () => produce('kafkajs', topic, values, { count, perSend }));
    out(`| ${perSend} | ${fmt(figures.rate)} | ${fmt(figures.cpuUs, 1)} | ${fmt(figures.brokerUs, 1)} |`);
  }
}

async function fetchSection(values: string[]): Promise<void> {
  const source = uniqueName('bench.kafka.fetch.');
  await createTopics(source);
  await produce('kafkajs', source, values);
  out(`\n### consumer fetch sizes (kafkajs pass-through, ${MESSAGES} messages backlog)`);
  out('| maxBytesPerPartition | minBytes | maxWaitTimeInMs | msg/s | CPU µs/msg | broker CPU µs/msg |');
  out('| --: | --: | --: | --: | --: | --: |');
  const cases: FetchLevers[] = [
    { maxBytesPerPartition: 1_048_576, minBytes: 1, maxWaitTimeInMs: 200 },
    { maxBytesPerPartition: 262_144, minBytes: 1, maxWaitTimeInMs: 200 },
    { maxBytesPerPartition: 2_097_152, minBytes: 1, maxWaitTimeInMs: 200 },
    { maxBytesPerPartition: 1_048_576, minBytes: 65_536, maxWaitTimeInMs: 200 },
    { maxBytesPerPartition: 1_048_576, minBytes: 1, maxWaitTimeInMs: 50 },
  ];
  for (const levers of cases) {
    const sink = uniqueName('bench.kafka.dst.');
    await createTopics(sink);
    log(`fetch ${JSON.stringify(levers)}`);
    const figures = await measure(MESSAGES, () => consume('kafkajs', source, sink, levers)).catch(
      (error: unknown) => {
        out(
          `| ${fmt(levers.maxBytesPerPartition ?? NaN)} | ${fmt(levers.minBytes ?? NaN)} | ${levers.maxWaitTimeInMs} | failed: ${error instanceof Error ? error.message.slice(0, 120) : String(error)} | | |`,
        );
        return undefined;
      },
    );
    if (!figures) continue;
    out(
      `| ${fmt(levers.maxBytesPerPartition ?? NaN)} | ${fmt(levers.minBytes ?? NaN)} | ${levers.maxWaitTimeInMs} | ${fmt(figures.rate)} | ${fmt(figures.cpuUs, 1)} | ${fmt(figures.brokerUs, 1)} |`,
    );
  }
}

async function main(): Promise<void> {
  const infra = await startInfra(PROFILES.bench, log);
  brokers = infra.kafkaBrokers.split(',');
  brokerPid =
    infra.pids.kafka ?? (process.env['BENCH_KAFKA_PID'] ? Number(process.env['BENCH_KAFKA_PID']) : undefined);
  const sections = (process.env['BENCH_KAFKA_SECTIONS'] ?? 'pass,codec,batch,fetch').split(',');
  try {
    const values = Array.from({ length: 1000 }, (_, index) => sampleValue(index));
    out(`Node ${process.version}, ${brokers.join(',')}, broker pid ${brokerPid ?? 'unknown'}`);
    if (sections.includes('pass')) await passThroughSection(values);
    if (sections.includes('codec')) await codecSection(values);
    if (sections.includes('batch')) await batchingSection(values);
    if (sections.includes('fetch')) await fetchSection(values);
  } finally {
    await infra.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
