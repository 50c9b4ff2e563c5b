/**
 * dispatcher benchmark: notifications/s and events/s from Kafka to a callback receiver through the
 * whole dispatcher (consume → record events + notifications in Postgres → commit → claim with SKIP
 * LOCKED → fetch key → sign both ways → POST → log the attempt), against a bare undici loop POSTing
 * the same number of same-sized bodies to the same receiver with the same concurrency, in the same run.
 *
 *   node -r @swc-node/register apps/dispatcher/bench/dispatcher.bench.ts   (= npm run bench -- dispatcher)
 *
 * Uses KAFKA_BROKERS / DATABASE_URL when set, else starts the local test infrastructure. The sink runs
 * in its own process (as `npm start` runs it). Env: BENCH_EVENTS (default 20000), BENCH_INSTANCES
 * (default 100), BENCH_CONCURRENCY (default 32 = DISPATCHER_CONCURRENCY and the bare loop's in-flight).
 * Rate = work / (time of the last delivery − time the first event was published).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { Pool } from 'undici';
import { PROFILES, startInfra, type Infra } from '@pollcast/dev';
import { planNotifications } from '../src/notifications/notification-body';
import { callbackHeaders } from '../src/notifications/signing';
import {
  snapshot,
  standardEvent,
  startDispatcher,
  startFakeInstanceService,
  testKafka,
  type FakeInstance,
} from '../src/testing/dispatcher-harness';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SIGNATURE_KEY = 'bench-signature-key-0123456789';
const log = (line: string) => process.stdout.write(`[dispatcher-bench] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startSink(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      join(__dirname, '..', '..', '..', 'tools', 'webhook-sink', 'src', 'main.ts'),
    ],
    {
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'warn',
        SINK_SIGNATURE_KEY: SIGNATURE_KEY,
        SINK_CAPACITY: '1000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { msg: string; url: string };
    if (parsed.msg === 'webhook-sink started') return { child, url: parsed.url };
  }
  throw new Error('webhook sink exited before starting');
}

async function sinkTotal(pool: Pool): Promise<{ total: number; invalid: number }> {
  const all = await pool.request({ method: 'GET', path: '/_sink/requests?limit=1' });
  const { total } = (await all.body.json()) as { total: number };
  const bad = await pool.request({ method: 'GET', path: '/_sink/requests?signature=invalid&limit=1' });
  const { count } = (await bad.body.json()) as { count: number };
  return { total, invalid: count };
}

/** The given broker and database as they are; only without them is local infrastructure started
 * (startInfra also stops leftovers of its own profile, which must not touch a shared setup). */
async function infrastructure(): Promise<Infra> {
  const kafkaBrokers = process.env['KAFKA_BROKERS'];
  const databaseUrl = process.env['DATABASE_URL'];
  if (!kafkaBrokers || !databaseUrl) return startInfra(PROFILES.test, (line) => log(line));
  log(`using KAFKA_BROKERS=${kafkaBrokers} and DATABASE_URL`);
  return {
    kafkaBrokers,
    databaseUrl,
    urlForDatabase: (name) => {
      const url = new URL(databaseUrl);
      url.pathname = `/${encodeURIComponent(name)}`;
      return url.toString();
    },
    timings: {},
    pids: {},
    stop: async () => undefined,
  };
}

async function main(): Promise<void> {
  const infra: Infra = await infrastructure();
  const sink = await startSink();
  const sinkPool = new Pool(sink.url, { connections: 2 });
  const instanceService = await startFakeInstanceService();
  const admin = new Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  const database = `dispatcher_bench_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  const prefix = `bench${Date.now().toString(36)}.`;
  process.env['KAFKA_BROKERS'] = infra.kafkaBrokers;
  const dispatcher = await startDispatcher(infra.urlForDatabase(database), prefix, instanceService.url, {
    KAFKA_TOPIC_PARTITIONS: '6',
    DISPATCHER_CONCURRENCY: String(CONCURRENCY),
    DISPATCHER_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
    DISPATCHER_POLL_INTERVAL_MS: '250',
  });
  const kafka = testKafka(prefix);
  const db = new Client({ connectionString: infra.urlForDatabase(database) });
  await db.connect();
  const delivered = async () => {
    const { rows } = await db.query<{ notifications: string; events: string }>(
      `SELECT count(*) AS notifications, COALESCE(sum(cardinality(event_ids)), 0) AS events
       FROM dispatcher.notifications WHERE status = 'DELIVERED'`,
    );
    return { notifications: Number(rows[0]?.notifications ?? 0), events: Number(rows[0]?.events ?? 0) };
  };
  // Events the consumer has turned into notifications, delivered or not: shows which half is the bound.
  const recordedEvents = async () => {
    const { rows } = await db.query<{ events: string }>(
      `SELECT COALESCE(sum(cardinality(event_ids)), 0) AS events FROM dispatcher.notifications`,
    );
    return Number(rows[0]?.events ?? 0);
  };
  try {
    const instances: FakeInstance[] = Array.from({ length: INSTANCES }, (_, index) => ({
      id: `bench-${index}-${randomUUID().slice(0, 8)}`,
      organizationId: 'org-bench',
      callbackUrl: `${sink.url}/hooks/${index}`,
      signatureKey: SIGNATURE_KEY,
      eventsEnabled: true,
    }));
    for (const instance of instances) instanceService.instances.set(instance.id, instance);
    await kafka.publishSnapshots(instances.map((instance) => snapshot(instance)));

    // Warm-up: group join, pools, key cache.
    await kafka.publishEvents(instances.map((instance) => standardEvent(instance)));
    while ((await delivered()).events < INSTANCES) await sleep(100);
    const before = await delivered();
    log(`warm-up done (${before.notifications} notifications)`);

    const events = Array.from({ length: EVENTS }, (_, index) =>
      standardEvent(instances[index % INSTANCES] as FakeInstance),
    );
    const started = performance.now();
    for (let start = 0; start < events.length; start += 1000)
      await kafka.publishEvents(events.slice(start, start + 1000));
    const publishedMs = performance.now() - started;
    let now = await delivered();
    let recordedMs: number | undefined;
    while (now.events - before.events < EVENTS) {
      await sleep(20);
      now = await delivered();
      if (recordedMs === undefined && (await recordedEvents()) - before.events >= EVENTS)
        recordedMs = performance.now() - started;
    }
    const dispatcherMs = performance.now() - started;
    const notifications = now.notifications - before.notifications;
    const { total, invalid } = await sinkTotal(sinkPool);

    // The bare loop: the same number of bodies (planned from the same events), unsigned work excluded.
    const bodies = planNotifications(events, randomUUID).map((notification) => notification.body);
    const plan = bodies.slice(0, notifications);
    while (plan.length < notifications) plan.push(bodies[plan.length % bodies.length] ?? '{}');
    const barePool = new Pool(sink.url, { connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    let next = 0;
    const bareStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let index = next++; index < plan.length; index = next++) {
          const body = plan[index] ?? '{}';
          const response = await barePool.request({
            method: 'POST',
            path: '/bare',
            headers: callbackHeaders({
              notificationId: `bare-${index}`,
              body,
              timestampSeconds: Math.floor(Date.now() / 1000),
              signatureKey: SIGNATURE_KEY,
              userAgent: 'bare',
            }),
            body,
          });
          await response.body.dump();
          if (response.statusCode !== 200) throw new Error(`bare loop got ${response.statusCode}`);
        }
      }),
    );
    const bareMs = performance.now() - bareStarted;
    await barePool.close();

    const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
    const dispatcherRate = perSecond(notifications, dispatcherMs);
    const bareRate = perSecond(plan.length, bareMs);
    const avgBytes = Math.round(plan.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / plan.length);
    log(
      `published ${EVENTS} events in ${Math.round(publishedMs)} ms; all recorded as notifications after ${Math.round(recordedMs ?? dispatcherMs)} ms; all delivered after ${Math.round(dispatcherMs)} ms; sink saw ${total} requests, ${invalid} with an invalid signature`,
    );
    process.stdout.write(
      [
        '',
        `| case (${EVENTS} events, ${INSTANCES} instances, ${CONCURRENCY} in flight, body ≈ ${avgBytes} B) | notifications/s | events/s |`,
        '| --- | ---: | ---: |',
        `| dispatcher: Kafka → Postgres → signed POST → attempt log (${notifications} notifications, ${(EVENTS / notifications).toFixed(1)} events each) | ${dispatcherRate.toLocaleString('en-US')} | ${perSecond(EVENTS, dispatcherMs).toLocaleString('en-US')} |`,
        `| bare undici loop, same bodies and headers, same sink | ${bareRate.toLocaleString('en-US')} | — |`,
        `| ratio dispatcher / bare | ${(dispatcherRate / bareRate).toFixed(2)} | |`,
        '',
      ].join('\n'),
    );
  } finally {
    await db.end();
    await kafka.client.disconnect();
    await dispatcher.close();
    await instanceService.close();
    await sinkPool.close();
    sink.child.kill('SIGTERM');
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await infra.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `dispatcher bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
