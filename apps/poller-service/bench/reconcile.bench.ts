/**
 * Reconciliation benchmark (issue 17): one poller replica and one normalizer (the built services, each
 * its own process) against the simulator holding 1,000,000 companies. Run 1 lists every id into
 * `known_objects` (nothing known yet, nothing deleted); then BENCH_DELETE records are deleted in the
 * simulator and run 2 lists the 1,000,000 − BENCH_DELETE ids again, diffs in PostgreSQL and publishes
 * the deletions, which the normalizer turns into DELETED events. Reports each run's duration, ids
 * listed and deletions found (from the poller state), the rows written to `known_objects` (PostgreSQL's
 * own counters), the DELETED events, and the peak RSS of each service (sampled every 250 ms).
 *
 *   npm run bench -- reconcile
 *   node -r @swc-node/register apps/poller-service/bench/reconcile.bench.ts   (after npm run build)
 *
 * Uses KAFKA_BROKERS / DATABASE_URL when set, else starts Kafka and Postgres (`startInfra`).
 * Env: BENCH_IDS (1000000), BENCH_DELETE (1000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { topicName, topicSpecs, type InstanceSnapshot } from '@pollcast/contracts';
import { PROFILES, REPO_ROOT, startInfra } from '@pollcast/dev';
import { createMaximizerSimulator } from '@pollcast/maximizer-sim';
import { KafkaClient } from '@pollcast/service-kit';
import { SERVICE_TOKEN, resourceConfig, startFakeInstanceService } from '../src/testing/harness';

const IDS = Number(process.env['BENCH_IDS'] ?? 1_000_000);
const DELETE = Number(process.env['BENCH_DELETE'] ?? 1000);
const INSTANCE = 'bench-reconcile';

const log = (line: string) => process.stdout.write(`[reconcile-bench] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMegabytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

interface LastReconciliation {
  runId: string;
  status: string;
  durationMs: number;
  idsListed: number;
  deletionsFound: number;
  error?: string;
}

async function main(): Promise<void> {
  const infra = await startInfra(PROFILES.test, log);
  const databaseName = `bench_reconcile_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  await admin.end();
  const databaseUrl = infra.urlForDatabase(databaseName);
  const prefix = `${databaseName}.`;

  const sim = await createMaximizerSimulator({ port: 0 });
  const seedStarted = performance.now();
  sim.store.seed({
    count: IDS,
    mix: { Company: 1 },
    from: new Date(Date.now() - 86_400_000),
    to: new Date(),
  });
  log(`simulator at ${sim.url} with ${IDS} companies (${Math.round(performance.now() - seedStarted)} ms)`);
  const instanceService = await startFakeInstanceService(sim);
  const kafka = new KafkaClient('reconcile-bench', infra.kafkaBrokers.split(','), pino({ level: 'warn' }));
  await kafka.ensureTopics(
    topicSpecs(['instances', 'rawChanges', 'events', 'instancesDlq', 'rawChangesDlq'], {
      prefix,
      partitions: 6,
    }),
  );

  const common = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PARTITIONS: '6',
    POLLCAST_TOPIC_PREFIX: prefix,
  };
  const services: Record<string, ChildProcess> = {
    'poller-service': spawn(process.execPath, [join(REPO_ROOT, 'apps/poller-service/dist/main.js')], {
      cwd: REPO_ROOT,
      env: {
        ...common,
        INSTANCE_SERVICE_URL: instanceService.url,
        POLLCAST_SERVICE_TOKEN: SERVICE_TOKEN,
        POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(sim.url).host,
        POLLER_START_JITTER_SECONDS: '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
    normalizer: spawn(process.execPath, [join(REPO_ROOT, 'apps/normalizer/dist/main.js')], {
      cwd: REPO_ROOT,
      env: common,
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  };
  const peakRss: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const [name, child] of Object.entries(services)) {
      peakRss[name] = Math.max(peakRss[name] ?? 0, rssMegabytes(child.pid ?? 0));
    }
  }, 250);

  const now = new Date().toISOString();
  const snapshot: InstanceSnapshot = {
    id: INSTANCE,
    organizationId: 'org-bench',
    elementKey: 'maximizer',
    name: INSTANCE,
    tags: [],
    enabled: true,
    valid: true,
    elementConfig: { 'maximizer.url': sim.url, 'maximizer.alias': 'sim' },
    events: {
      enabled: true,
      vendorType: 'polling',
      hasSignatureKey: false,
      refreshIntervalMinutes: 60,
      resources: [resourceConfig('companies', { deletions: { mode: 'reconcile', intervalMinutes: 1440 } })],
    },
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await kafka.publish(topicName('instances', prefix), [{ key: INSTANCE, value: snapshot }]);

  const db = new Client({ connectionString: databaseUrl });
  for (;;) {
    try {
      await db.connect();
      break;
    } catch {
      await sleep(500);
    }
  }
  const last = async (): Promise<LastReconciliation | null> => {
    const result = await db
      .query<{ last: LastReconciliation | null }>(
        `SELECT last_reconciliation AS last FROM poller.schedules WHERE instance_id = $1`,
        [INSTANCE],
      )
      .catch(() => ({ rows: [] }));
    return result.rows[0]?.last ?? null;
  };
  const finishedAfter = async (runId: string | undefined): Promise<LastReconciliation> => {
    for (;;) {
      const current = await last();
      if (current !== null && current.runId !== runId) {
        if (current.status !== 'succeeded') throw new Error(`reconciliation failed: ${current.error ?? ''}`);
        return current;
      }
      await sleep(250);
    }
  };
  const tupleCounts = async () => {
    const row = (
      await db.query<{ ins: string; upd: string; del: string }>(
        `SELECT n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del FROM pg_stat_user_tables
          WHERE schemaname = 'poller' AND relname = 'known_objects'`,
      )
    ).rows[0];
    return { ins: Number(row?.ins ?? 0), upd: Number(row?.upd ?? 0), del: Number(row?.del ?? 0) };
  };
  const deletedEvents = async () =>
    Number(
      (
        await db
          .query<{ n: string }>(`SELECT count(*) AS n FROM normalizer.object_state WHERE deleted`)
          .catch(() => ({ rows: [{ n: '0' }] }))
      ).rows[0]?.n ?? 0,
    );

  log('run 1: the first reconciliation lists every id (nothing known yet)');
  const first = await finishedAfter(undefined);
  await sleep(1500); // PostgreSQL's statistics collector lags its counters
  const afterFirst = await tupleCounts();
  const rssFirst = { ...peakRss };
  log(`run 1: ${JSON.stringify(first)}`);

  const keys = sim.store
    .read('AbEntry', { Scope: { Fields: { Key: 1 } }, PageSize: DELETE })
    .data.map((record) => String(record.Key));
  for (const key of keys) sim.store.delete('AbEntry', key);
  log(`deleted ${keys.length} companies in the simulator; run 2 (reconcile now)`);
  await db.query(`UPDATE poller.schedules SET reconcile_next_due_at = now() WHERE instance_id = $1`, [
    INSTANCE,
  ]);
  const second = await finishedAfter(first.runId);
  const deletedAt = performance.now();
  while ((await deletedEvents()) < keys.length && performance.now() - deletedAt < 120_000) await sleep(250);
  const eventsSeconds = (performance.now() - deletedAt) / 1000;
  await sleep(1500);
  const afterSecond = await tupleCounts();
  clearInterval(sampler);
  log(`run 2: ${JSON.stringify(second)}`);

  const rows = (from: { ins: number; upd: number; del: number }, to: typeof from) =>
    `${(to.ins - from.ins).toLocaleString('en')} ins · ${(to.upd - from.upd).toLocaleString('en')} upd · ${(to.del - from.del).toLocaleString('en')} del`;
  const table = [
    '| run | ids listed | deletions | duration | known_objects rows written | poller peak RSS | normalizer peak RSS |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |',
    `| 1 (first listing) | ${first.idsListed.toLocaleString('en')} | ${first.deletionsFound} | ${(first.durationMs / 1000).toFixed(1)} s | ${rows({ ins: 0, upd: 0, del: 0 }, afterFirst)} | ${rssFirst['poller-service']?.toFixed(0)} MB | ${rssFirst['normalizer']?.toFixed(0)} MB |`,
    `| 2 (${keys.length} deleted) | ${second.idsListed.toLocaleString('en')} | ${second.deletionsFound} | ${(second.durationMs / 1000).toFixed(1)} s | ${rows(afterFirst, afterSecond)} | ${peakRss['poller-service']?.toFixed(0)} MB | ${peakRss['normalizer']?.toFixed(0)} MB |`,
  ];
  process.stdout.write(
    `\n${table.join('\n')}\n\nDELETED events (normalizer tombstones): ${await deletedEvents()} of ${keys.length}, all within ${eventsSeconds.toFixed(1)} s of run 2's end\n\n`,
  );

  for (const child of Object.values(services)) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
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
