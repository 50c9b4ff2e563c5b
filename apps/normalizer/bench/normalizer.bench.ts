/**
 * normalizer benchmark: events/s through the normalizer alone (consume raw change → read state →
 * classify → publish acks=all → write state → commit), against a pass-through consumer → producer on
 * the same broker in the same run (same ConsumerRunner, same schema validation, same acks=all publish,
 * no state and no classification). Then the same raw changes again: all suppressed as duplicates.
 *
 *   node -r @swc-node/register apps/normalizer/bench/normalizer.bench.ts   (= npm run bench -- normalizer)
 *
 * Uses KAFKA_BROKERS / DATABASE_URL when set, else starts the local test infrastructure. Env:
 * BENCH_CHANGES (default 50000), BENCH_PARTITIONS (default 6).
 * Rate = changes / (time of the last output − time of the first output), so group join and start-up
 * are left out of both figures alike.
 */
import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { Client } from 'pg';
import pino from 'pino';
import { HEADERS, objectKey, rawChangeSchema, topicName, type RawChange } from '@pollcast/contracts';
// A benchmark starts local infrastructure the way the test setup does (bench files may import tools).
import { PROFILES, startInfra, type Infra } from '@pollcast/dev';
import { ConsumerRunner, KafkaClient, startService } from '@pollcast/service-kit';
import { AppModule } from '../src/app.module';
import { envSchema } from '../src/env';

const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 50_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const CONCURRENCY = 3; // the normalizer's default NORMALIZER_PARTITIONS_CONCURRENTLY
const logger = pino({ level: 'silent' });
const log = (line: string) => process.stdout.write(`[normalizer-bench] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rawChanges(instanceId: string): RawChange[] {
  const base = Date.parse('2024-01-15T10:00:00Z');
  return Array.from({ length: CHANGES }, (_, index) => {
    const key = Buffer.from(`Contact\t${index}\t${instanceId}`).toString('base64');
    const modified = new Date(base + 60_000 + index * 7).toISOString();
    return {
      instanceId,
      organizationId: 'org-bench',
      elementKey: 'maximizer',
      resource: 'contacts',
      objectId: key,
      // About the size of a Maximizer contact with the seed's fields.
      record: {
        Key: key,
        LastModifyDate: modified,
        CreationDate: index % 2 === 0 ? modified : new Date(base - 86_400_000).toISOString(),
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
      window: { from: new Date(base).toISOString(), to: new Date(base + 3_600_000).toISOString() },
      polledAt: new Date(base + 3_600_000).toISOString(),
      page: Math.floor(index / 100),
      updated: { field: 'LastModifyDate', format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", zone: 'GMT' },
      created: { field: 'CreationDate', format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", zone: 'GMT' },
      createdCheckTolerance: 10,
      filterByUpdatedDate: true,
    };
  });
}

async function produce(client: KafkaClient, topic: string, changes: ReadonlyArray<RawChange>): Promise<void> {
  for (let start = 0; start < changes.length; start += 1000) {
    await client.publish(
      topic,
      changes.slice(start, start + 1000).map((change) => ({
        key: objectKey(change.instanceId, change.resource, change.objectId),
        value: change,
        headers: { [HEADERS.correlationId]: change.pollId },
      })),
    );
  }
}

async function sumOfEnds(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
}

async function sumCommitted(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (committed?.partitions ?? []).reduce(
    (sum, partition) => sum + Math.max(0, Number(partition.offset)),
    0,
  );
}

/** Seconds from the first sign of progress to `target`, probing every 20 ms. */
async function timeProgress(probe: () => Promise<number>, from: number, target: number): Promise<number> {
  const deadline = Date.now() + 600_000;
  let firstAt: number | undefined;
  for (;;) {
    const value = await probe();
    const now = performance.now();
    if (firstAt === undefined && value > from) firstAt = now;
    if (value >= target && firstAt !== undefined) return (now - firstAt) / 1000;
    if (Date.now() > deadline) throw new Error(`stuck at ${value - from} of ${target - from}`);
    await sleep(20);
  }
}

/** CPU microseconds this process used since `start` (user + system): the bench runs the service in-process. */
function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const external = Boolean(process.env['KAFKA_BROKERS'] && process.env['DATABASE_URL']);
  const infra: Infra | undefined = external ? undefined : await startInfra(PROFILES.test, log);
  const brokers = infra?.kafkaBrokers ?? process.env['KAFKA_BROKERS'] ?? '';
  const adminUrl = infra?.databaseUrl ?? process.env['DATABASE_URL'] ?? '';
  const prefix = `bench${Date.now().toString(36)}.`;
  const client = new KafkaClient('normalizer-bench', brokers.split(','), logger);
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    const rawTopic = topicName('rawChanges', prefix);
    const eventsTopic = topicName('events', prefix);
    const passTopic = `${prefix}bench.passthrough`;
    const spec = (name: string) => ({ name, partitions: PARTITIONS });
    await client.ensureTopics([
      spec(rawTopic),
      spec(eventsTopic),
      spec(topicName('rawChangesDlq', prefix)),
      spec(passTopic),
    ]);
    const changes = rawChanges(`inst-${prefix}`);
    log(`producing ${CHANGES} raw changes over ${PARTITIONS} partitions`);
    await produce(client, rawTopic, changes);

    // 1. Pass-through: the same runner and validation, each value republished as it came.
    const passGroup = `${prefix}passthrough`;
    const passthrough = new ConsumerRunner<RawChange>(
      client,
      {
        groupId: passGroup,
        topic: rawTopic,
        dlqTopic: topicName('rawChangesDlq', prefix),
        schema: rawChangeSchema,
        partitionsConsumedConcurrently: CONCURRENCY,
        handle: async (batch) => {
          await client.publish(
            passTopic,
            batch.map((message) => ({
              key: message.key ?? '',
              value: message.value,
              headers: message.headers,
            })),
          );
        },
      },
      logger,
      'bench',
    );
    const passCpu = process.cpuUsage();
    await passthrough.start();
    const passSeconds = await timeProgress(() => sumOfEnds(admin, passTopic), 0, CHANGES);
    const passMicros = cpuMicrosSince(passCpu);
    await passthrough.stop();

    // 2. The normalizer, in-process, on a fresh database.
    const database = `bench_${prefix.replace(/\W/g, '_')}`;
    const pg = new Client({ connectionString: adminUrl });
    await pg.connect();
    await pg.query(`CREATE DATABASE "${database}"`);
    await pg.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const normalizeCpu = process.cpuUsage();
    const service = await startService({
      service: 'normalizer',
      envSchema,
      createModule: (env) => AppModule.register(env),
      env: {
        KAFKA_BROKERS: brokers,
        DATABASE_URL: url.toString(),
        POLLCAST_TOPIC_PREFIX: prefix,
        KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
        PORT: '0',
        LOG_LEVEL: 'warn',
      },
    });
    const normalizeSeconds = await timeProgress(() => sumOfEnds(admin, eventsTopic), 0, CHANGES);
    const normalizeMicros = cpuMicrosSince(normalizeCpu);
    // 3. The same changes again (an overlap re-read of everything): no event, all suppressed.
    const groupId = `${prefix}pollcast-normalizer`;
    await sleep(500);
    const committedBefore = await sumCommitted(admin, groupId, rawTopic);
    await produce(client, rawTopic, changes);
    const duplicateSeconds = await timeProgress(
      () => sumCommitted(admin, groupId, rawTopic),
      committedBefore,
      committedBefore + CHANGES,
    );
    const extraEvents = (await sumOfEnds(admin, eventsTopic)) - CHANGES;
    await service.close();

    const passRate = CHANGES / passSeconds;
    const normalizeRate = CHANGES / normalizeSeconds;
    const duplicateRate = CHANGES / duplicateSeconds;
    const rows: [string, string][] = [
      ['pass-through consumer → producer (msg/s)', Math.round(passRate).toLocaleString('en-US')],
      ['normalizer, all new objects (events/s)', Math.round(normalizeRate).toLocaleString('en-US')],
      ['normalizer ÷ pass-through', `${(normalizeRate / passRate).toFixed(2)}`],
      ['pass-through, CPU µs per message (this process)', String(Math.round(passMicros / CHANGES))],
      [
        'normalizer, CPU µs per event (this process, start-up included)',
        String(Math.round(normalizeMicros / CHANGES)),
      ],
      ['normalizer, all duplicates (suppressed/s)', Math.round(duplicateRate).toLocaleString('en-US')],
      ['events emitted by the duplicate pass', String(extraEvents)],
    ];
    process.stdout.write(
      `\n${CHANGES} raw changes, ${PARTITIONS} partitions, ${CONCURRENCY} concurrently\n\n`,
    );
    process.stdout.write('| measure | value |\n| --- | ---: |\n');
    for (const [name, value] of rows) process.stdout.write(`| ${name} | ${value} |\n`);
    if (extraEvents !== 0) throw new Error(`the duplicate pass emitted ${extraEvents} events`);
  } finally {
    await admin.disconnect();
    await client.disconnect();
    await infra?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
