/**
 * poller-service scheduler benchmark: one replica (the built service, its own process) against the
 * simulator, 10,000 instances × 4 resources due every minute. Reports polls/s, schedule lag p50/p99
 * (poll start − due time, from the poll run log) and the replica's RSS.
 *
 *   npm run bench -- scheduler
 *   node -r @swc-node/register apps/poller-service/bench/scheduler.bench.ts   (after npm run build)
 *
 * Uses KAFKA_BROKERS / DATABASE_URL when set, else starts Kafka and Postgres (`startInfra`).
 * Env: BENCH_INSTANCES (10000), BENCH_SECONDS measured (120, after a 60 s warm-up that spreads the
 * first polls over the interval), BENCH_CONCURRENCY (200), BENCH_CHANGES_PER_SECOND (0.2: every instance polls the same simulator, so each change is read by every instance).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { topicName, topicSpecs, type InstanceSnapshot } from '@pollcast/contracts';
import { PROFILES, REPO_ROOT, startInfra } from '@pollcast/dev';
import { createMaximizerSimulator } from '@pollcast/maximizer-sim';
import { KafkaClient } from '@pollcast/service-kit';
import { SERVICE_TOKEN, resourceConfig, startFakeInstanceService } from '../src/testing/harness';

const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 10_000);
const MEASURE_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 120);
const WARMUP_SECONDS = 60;
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 200);
const CHANGES_PER_SECOND = Number(process.env['BENCH_CHANGES_PER_SECOND'] ?? 0.2);
const RESOURCES = ['contacts', 'companies', 'addressbook-entries', 'opportunities'];

const log = (line: string) => process.stdout.write(`[scheduler-bench] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMegabytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}

async function main(): Promise<void> {
  const infra = await startInfra(PROFILES.test, log);
  const databaseName = `bench_poller_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  await admin.end();
  const databaseUrl = infra.urlForDatabase(databaseName);
  const prefix = `${databaseName}.`;

  const sim = await createMaximizerSimulator({ port: 0 });
  const seeded = sim.store.seed({ count: 50_000, from: new Date(Date.now() - 3_600_000), to: new Date() });
  log(`simulator at ${sim.url} with ${seeded.total} records`);
  const instanceService = await startFakeInstanceService(sim);
  const kafka = new KafkaClient('scheduler-bench', infra.kafkaBrokers.split(','), pino({ level: 'warn' }));
  await kafka.ensureTopics(
    topicSpecs(['instances', 'rawChanges', 'instancesDlq'], { prefix, partitions: 6 }),
  );

  // A steady trickle of provider changes, so polls find records and publish them.
  const contacts = sim.store
    .read('AbEntry', { Scope: { Fields: { Key: 1 } }, PageSize: 1000 })
    .data.map((record) => String(record.Key));
  let changes = 0;
  const changer = setInterval(() => {
    const key = contacts[Math.floor(Math.random() * contacts.length)];
    if (key !== undefined) sim.store.update('AbEntry', key, { City: `City ${(changes += 1)}` });
  }, 1000 / CHANGES_PER_SECOND);

  const poller = spawn(process.execPath, [join(REPO_ROOT, 'apps/poller-service/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '20',
      KAFKA_BROKERS: infra.kafkaBrokers,
      KAFKA_TOPIC_PARTITIONS: '6',
      POLLCAST_TOPIC_PREFIX: prefix,
      INSTANCE_SERVICE_URL: instanceService.url,
      POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
      POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(sim.url).host,
      POLLER_CONCURRENCY: String(CONCURRENCY),
      POLLER_START_JITTER_SECONDS: '60',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = poller.pid ?? 0;

  const now = new Date().toISOString();
  const snapshotOf = (id: string): InstanceSnapshot => ({
    id,
    organizationId: 'org-bench',
    elementKey: 'maximizer',
    name: id,
    tags: [],
    enabled: true,
    valid: true,
    elementConfig: { 'maximizer.url': sim.url, 'maximizer.alias': 'sim' },
    events: {
      enabled: true,
      vendorType: 'polling',
      hasSignatureKey: false,
      refreshIntervalMinutes: 1,
      resources: RESOURCES.map((resource) => resourceConfig(resource)),
    },
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  const publishStarted = performance.now();
  for (let start = 0; start < INSTANCES; start += 500) {
    const batch = Array.from({ length: Math.min(500, INSTANCES - start) }, (_, n) => {
      const id = `bench-${start + n}`;
      return { key: id, value: snapshotOf(id) };
    });
    await kafka.publish(topicName('instances', prefix), batch);
  }
  log(`published ${INSTANCES} instance snapshots in ${Math.round(performance.now() - publishStarted)} ms`);

  const db = new Client({ connectionString: databaseUrl });
  for (;;) {
    try {
      await db.connect();
      break;
    } catch {
      await sleep(500);
    }
  }
  const count = async (sql: string, parameters: unknown[] = []) =>
    Number(((await db.query<{ n: string }>(sql, parameters)).rows[0] ?? { n: '0' }).n);
  const expected = INSTANCES * RESOURCES.length;
  for (;;) {
    const rows = await count(`SELECT count(*) AS n FROM poller.schedules`).catch(() => 0);
    if (rows >= expected) break;
    await sleep(500);
  }
  log(
    `${expected} schedule rows written ${Math.round(performance.now() - publishStarted)} ms after the first snapshot`,
  );

  log(
    `warming up ${WARMUP_SECONDS} s (first polls spread over the minute), then measuring ${MEASURE_SECONDS} s`,
  );
  await sleep(WARMUP_SECONDS * 1000);
  const from = new Date();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMegabytes(pid)), 1000);
  await sleep(MEASURE_SECONDS * 1000);
  clearInterval(sampler);
  const to = new Date();

  const stats = (
    await db.query<{
      polls: string;
      failed: string;
      records: string;
      p50: number;
      p99: number;
      max: number;
    }>(
      `SELECT count(*) AS polls, count(*) FILTER (WHERE status <> 'succeeded') AS failed, sum(records) AS records,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)) AS p99,
              max(extract(epoch FROM started_at - scheduled_for)) AS max
         FROM poller.poll_runs WHERE started_at >= $1 AND started_at < $2`,
      [from, to],
    )
  ).rows[0];
  const overdue = await count(
    `SELECT count(*) AS n FROM poller.schedules WHERE active AND current_poll_id IS NULL AND next_due_at < now() - interval '1 second'`,
  );
  const seconds = (to.getTime() - from.getTime()) / 1000;
  const polls = Number(stats?.polls ?? 0);
  const sortedRss = [...rss].sort((a, b) => a - b);
  const table = [
    `| instances × resources | interval | concurrency | polls/s | lag p50 | lag p99 | lag max | failed | records published | overdue at end | RSS (median / max) |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    `| ${INSTANCES} × ${RESOURCES.length} | 1 min | ${CONCURRENCY} | ${(polls / seconds).toFixed(0)} (due: ${(expected / 60).toFixed(0)}) | ` +
      `${(Number(stats?.p50) * 1000).toFixed(0)} ms | ${(Number(stats?.p99) * 1000).toFixed(0)} ms | ${(Number(stats?.max) * 1000).toFixed(0)} ms | ` +
      `${stats?.failed ?? 0} | ${stats?.records ?? 0} | ${overdue} | ${sortedRss[Math.floor(sortedRss.length / 2)]?.toFixed(0)} / ${sortedRss.at(-1)?.toFixed(0)} MB |`,
  ];
  process.stdout.write(`\n${table.join('\n')}\n\n`);

  clearInterval(changer);
  poller.kill('SIGTERM');
  await new Promise((resolve) => poller.once('exit', resolve));
  await db.end();
  await kafka.disconnect();
  await instanceService.close();
  await sim.close();
  await infra.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
