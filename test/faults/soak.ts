// `npm run test:soak -- --changes N --replicas R --minutes M --seed S [--kinds broker-restart,…]`: the
// platform as processes behind a real fault proxy (Toxiproxy) for Kafka, PostgreSQL, the provider and the
// callback endpoint; a steady stream of changes across tenants and instances; a seeded, printed,
// replayable schedule of faults (of `--kinds` only, when given); and at the end a check of every change
// (docs/reliability.md). Runs on plain Node (the embedded PostgreSQL package is ESM), started by tools/dev
// (`pollcast-dev test --soak`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { startLocalKafka, type LocalKafkaHandle } from '@pollcast/local-kafka';
import {
  dataDir,
  PROFILES,
  REPO_ROOT,
  startLocalPostgres,
  startToxiproxy,
  stopLeftovers,
} from '@pollcast/dev';
import { baseEnvSchema } from '@pollcast/service-kit';
import { freePort, waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import { createInstance, eventsOf, Simulator, sinkRequests, TopicReader } from '../support/e2e-helpers';
import { changeKey, sleep, summaryLine, tallyDeliveries } from './fault-kit';
import {
  describe,
  DISPATCHER_TIMEOUT_MS,
  faultKind,
  POLLER_LEASE_SECONDS,
  schedule,
  FAULT_KINDS,
  type Target,
} from './soak-schedule';
import { inject, type SoakParts } from './soak-inject';
import { createTenant } from './soak-tenants';

const PROFILE = PROFILES.soak;
const log = (line: string) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '100000' },
    replicas: { type: 'string', default: '3' },
    minutes: { type: 'string', default: '15' },
    seed: { type: 'string' },
    instances: { type: 'string', default: '12' },
    tenants: { type: 'string', default: '3' },
    kinds: { type: 'string', default: FAULT_KINDS.join(',') },
    // The services' log level (kafkajs logs warnings and errors only, whatever this is).
    'log-level': { type: 'string', default: 'warn' },
  },
  strict: true,
});
const positive = (name: string, value: string | undefined): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
  return parsed;
};
const CHANGES = positive('changes', args.changes);
const REPLICAS = positive('replicas', args.replicas);
const MINUTES = positive('minutes', args.minutes);
const SEED = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positive('seed', args.seed);
const KINDS = args.kinds.split(',').map((kind) => {
  const known = FAULT_KINDS.find((candidate) => candidate === kind.trim());
  if (known === undefined) throw new Error(`--kinds: ${kind} is not one of ${FAULT_KINDS.join(', ')}`);
  return known;
});
const INSTANCES = positive('instances', args.instances);
const TENANTS = Math.min(positive('tenants', args.tenants), INSTANCES);
// The services' own LOG_LEVEL values.
const LOG_LEVELS: readonly string[] = baseEnvSchema.shape.LOG_LEVEL.unwrap().options;
const LOG_LEVEL = args['log-level'];
if (!LOG_LEVELS.includes(LOG_LEVEL)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);

/** A record is changed again only this long after its last change, so no two changes of one record
 * fall inside one fault and its recovery (polling sees the latest state only). */
const UPDATE_AFTER_MS = 180_000;

// ---- the run -------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const faults = schedule(SEED, Math.ceil((MINUTES * 60) / 25) * 2 + 10, REPLICAS, KINDS);
  log(
    `changes ${CHANGES}, replicas ${REPLICAS}, minutes ${MINUTES}, instances ${INSTANCES} across ${TENANTS} tenants, seed ${SEED}`,
  );
  log(`fault schedule (seed ${SEED}, replay with --seed ${SEED}; run in order while time lasts):`);
  faults.forEach((fault, index) => log(`  ${index + 1}. ${describe(fault)}`));

  await stopLeftovers(PROFILE, { kafka: true, postgres: true }, log);
  const runDir = join(REPO_ROOT, '.data', 'soak');
  mkdirSync(runDir, { recursive: true });
  const ports = {
    toxiproxy: await freePort(),
    kafka: await freePort(),
    postgres: await freePort(),
    provider: await freePort(),
    callback: await freePort(),
    sim: await freePort(),
    sink: await freePort(),
  };
  const toxiproxyServer = await startToxiproxy({
    port: ports.toxiproxy,
    logFile: join(runDir, 'toxiproxy.log'),
    log,
  });
  const toxiproxy = new Toxiproxy(toxiproxyServer.url);
  const proxies: Record<Target, Proxy> = {
    kafka: await toxiproxy.createProxy({
      name: 'kafka',
      listen: `127.0.0.1:${ports.kafka}`,
      upstream: `127.0.0.1:${PROFILE.kafkaPort}`,
    }),
    postgres: await toxiproxy.createProxy({
      name: 'postgres',
      listen: `127.0.0.1:${ports.postgres}`,
      upstream: `127.0.0.1:${PROFILE.postgresPort}`,
    }),
    provider: await toxiproxy.createProxy({
      name: 'provider',
      listen: `127.0.0.1:${ports.provider}`,
      upstream: `127.0.0.1:${ports.sim}`,
    }),
    callback: await toxiproxy.createProxy({
      name: 'callback',
      listen: `127.0.0.1:${ports.callback}`,
      upstream: `127.0.0.1:${ports.sink}`,
    }),
  };

  const kafkaOptions = {
    dir: dataDir(PROFILE, 'kafka'),
    port: PROFILE.kafkaPort,
    controllerPort: PROFILE.kafkaControllerPort,
    advertisedPort: ports.kafka, // every client, once bootstrapped, goes through the proxy
    log,
  };
  const postgresOptions = { dir: dataDir(PROFILE, 'postgres'), port: PROFILE.postgresPort, log };
  let kafka: LocalKafkaHandle | undefined;
  let postgres: Awaited<ReturnType<typeof startLocalPostgres>> | undefined;
  let platform: RunningPlatform | undefined;
  const cleanUp = async () => {
    await platform?.stop();
    await Promise.allSettled([kafka?.stop(), postgres?.stop(), toxiproxyServer.stop()]);
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    [kafka, postgres] = await Promise.all([
      startLocalKafka({ ...kafkaOptions, keepData: false }),
      startLocalPostgres({ ...postgresOptions, keepData: false }),
    ]);
    process.env.KAFKA_BROKERS = `127.0.0.1:${ports.kafka}`;
    process.env.DATABASE_URL = postgres.url;
    platform = await startPlatform({
      replicas: { 'poller-service': REPLICAS, normalizer: REPLICAS, dispatcher: REPLICAS },
      ports: { maximizerSim: ports.sim, webhookSink: ports.sink },
      route: {
        databaseUrl: (url) => {
          const proxied = new URL(url);
          proxied.port = String(ports.postgres);
          return proxied.toString();
        },
        providerBaseUrl: `http://127.0.0.1:${ports.provider}`,
      },
      toolEnv: { SINK_CAPACITY: '1000000' },
      startTimeoutMs: 300_000,
      logLevel: LOG_LEVEL,
      env: {
        DISPATCHER_MAX_RETRIES: '100',
        DISPATCHER_RETRY_MAX_DELAY_MS: '5000',
        DISPATCHER_TIMEOUT_MS: String(DISPATCHER_TIMEOUT_MS),
        POLLER_LEASE_SECONDS: String(POLLER_LEASE_SECONDS),
      },
    });
    return await soak(platform, {
      proxies,
      toxiproxy,
      faults,
      restartBroker: async () => {
        await kafka?.stop();
        kafka = await startLocalKafka({ ...kafkaOptions, keepData: true });
      },
      restartPostgres: async () => {
        await postgres?.stop();
        postgres = await startLocalPostgres({ ...postgresOptions, keepData: true });
      },
      runDir,
      callbackBase: `http://127.0.0.1:${ports.callback}`,
    });
  } finally {
    await cleanUp();
  }
}

async function soak(platform: RunningPlatform, parts: SoakParts): Promise<number> {
  const sim = new Simulator(platform.simUrl);
  log(`the services' logs (${LOG_LEVEL} and above, --log-level): ${platform.logDir}`);
  const authorizations = [platform.authorization];
  for (let t = 1; t < TENANTS; t += 1) authorizations.push(createTenant(platform, `soak-tenant-${t}`));
  log(`${TENANTS} tenants`);
  const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Soak Inc' });
  for (let i = 0; i < INSTANCES; i += 1) {
    await createInstance(
      { ...platform, authorization: authorizations[i % TENANTS]! },
      {
        name: `soak-${i}`,
        tags: ['soak'],
        callbackUrl: `${parts.callbackBase}/hooks/soak/${i}`,
        refreshInterval: '2',
        pollerConfiguration: {
          contacts: {
            url: `/hubs/crm/contacts?where=LastModifyDate>'\${date:yyyy-MM-dd'T'HH:mm:ssXXX}' AND LastName='Soak${i}'`,
            idField: 'Key',
            datesConfiguration: {
              updatedAtField: 'LastModifyDate',
              updatedAtFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
            },
          },
        },
      },
    );
  }
  log(`${INSTANCES} instances created; waiting for their first polls`);
  await sleep(6000);

  // What reached the callback: read incrementally; each change's first arrival time (for recovery).
  const firstSeen = new Map<string, number>();
  const delivered: { objectId: string; date: string; webhookId: string }[] = [];
  let lastSeq = 0;
  let reading = true;
  const readSink = async () => {
    for (;;) {
      const requests = await sinkRequests(platform.sinkUrl, '/hooks/soak/', lastSeq);
      for (const request of requests) lastSeq = Math.max(lastSeq, request.seq);
      for (const event of eventsOf(requests)) {
        if (event.objectType !== 'contacts') continue;
        delivered.push({ objectId: event.objectId, date: event.date, webhookId: event.webhookId });
        const key = changeKey(event.objectId, Date.parse(event.date));
        if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
      }
      if (requests.length < 10000) return;
    }
  };
  const reader = (async () => {
    while (reading) {
      await readSink().catch((error: unknown) => log(`reading the sink failed: ${String(error)}`));
      await sleep(1000);
    }
  })();

  // The steady stream: CHANGES over MINUTES, spread over the instances; updates of records whose last
  // change is older than UPDATE_AFTER_MS, creates otherwise.
  const made: string[] = [];
  const records = Array.from({ length: INSTANCES }, () => [] as { key: string; at: number }[]);
  let generatorErrors = 0;
  let lastError = '';
  const began = Date.now();
  const perMs = CHANGES / (MINUTES * 60_000);
  let issued = 0;
  let inFlight = 0;
  let generating = true;
  const generator = (async () => {
    while (issued < CHANGES) {
      const due = Math.min(CHANGES, Math.floor((Date.now() - began) * perMs) + 1);
      while (issued < due && inFlight < 32) {
        const n = issued;
        issued += 1;
        inFlight += 1;
        const i = n % INSTANCES;
        const mine = records[i]!;
        const old = mine[0] !== undefined && Date.now() - mine[0].at > UPDATE_AFTER_MS && n % 3 === 0;
        const change = old
          ? sim.update('AbEntry', mine.shift()!.key, { Phone: `555-${n}` })
          : sim.create('AbEntry', {
              Type: 'Contact',
              FirstName: `C${n}`,
              LastName: `Soak${i}`,
              ParentKey: company.Key,
            });
        void change
          .then(
            (record) => {
              made.push(changeKey(record.Key, Date.parse(record.LastModifyDate)));
              mine.push({ key: record.Key, at: Date.now() });
            },
            (error: unknown) => {
              generatorErrors += 1;
              lastError = String(error);
            },
          )
          .finally(() => {
            inFlight -= 1;
          });
      }
      await sleep(20);
    }
    while (inFlight > 0) await sleep(20);
    generating = false;
  })();

  // Faults, one at a time: inject, hold, heal, then wait until the last change made before healing has
  // reached the callback (time to recover), and a short calm.
  const injected = new Map<string, number>();
  const recoveries = new Map<string, number[]>();
  // Faults go on while changes are being made (past MINUTES when the machine cannot keep the rate).
  await sleep(20_000);
  for (const fault of parts.faults) {
    if (!generating) break;
    log(`fault: ${describe(fault)} (changes so far: ${made.length})`);
    try {
      await inject(platform, parts, fault, log);
    } catch (error) {
      // A replacement replica that does not come up in time (a loaded machine) ends this fault, not the run.
      log(`  the fault's own action failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const healedAt = Date.now();
    const marker = made.at(-1);
    injected.set(faultKind(fault), (injected.get(faultKind(fault)) ?? 0) + 1);
    if (marker !== undefined) {
      const recovered = await waitFor(() => firstSeen.has(marker), {
        what: `recovery after ${describe(fault)}`,
        timeoutMs: 300_000,
        intervalMs: 500,
      }).then(
        () => true,
        () => false,
      );
      const seconds = recovered
        ? Math.max(0, (firstSeen.get(marker)! - healedAt) / 1000)
        : Number.POSITIVE_INFINITY;
      recoveries.set(faultKind(fault), [...(recoveries.get(faultKind(fault)) ?? []), seconds]);
      log(`  recovered in ${recovered ? `${seconds.toFixed(1)} s` : 'more than 300 s'}`);
    }
    await sleep(5000);
  }
  await generator;
  log(
    `generator done: ${made.length} changes made in ${((Date.now() - began) / 1000).toFixed(0)} s (errors: ${generatorErrors}${generatorErrors > 0 ? `, last: ${lastError}` : ''})`,
  );
  await parts.toxiproxy.reset();

  const expected = new Set(made);
  await waitFor(() => tallyDeliveries(expected, delivered).lost.length === 0, {
    what: 'every change at the callback',
    timeoutMs: 1_200_000,
    intervalMs: 5000,
  }).catch(() =>
    log(
      `still missing after 20 minutes: ${tallyDeliveries(expected, delivered).lost.slice(0, 10).join(', ')}`,
    ),
  );
  await sleep(10_000); // late duplicates, if any, arrive too
  reading = false;
  await reader;
  await readSink();
  const tally = tallyDeliveries(expected, delivered);

  // The events topic: each change once per event id, never under two ids.
  const topic = new TopicReader(`${platform.topicPrefix}pollcast.events.v1`);
  await topic.start();
  let seen = -1;
  while (topic.messages.length !== seen) {
    seen = topic.messages.length;
    await sleep(10_000);
  }
  await topic.stop();
  const idsByChange = new Map<string, Set<string>>();
  const messagesById = new Map<string, number>();
  for (const message of topic.messages) {
    const value = message.value as { eventId: string; objectId: string; objectType: string; date: string };
    if (value.objectType !== 'contacts' || value.objectId === company.Key) continue;
    messagesById.set(value.eventId, (messagesById.get(value.eventId) ?? 0) + 1);
    const key = changeKey(value.objectId, Date.parse(value.date));
    idsByChange.set(key, (idsByChange.get(key) ?? new Set()).add(value.eventId));
  }
  const topicRepeats = [...messagesById.values()].reduce((sum, count) => sum + count - 1, 0);
  const topicDoubled = [...idsByChange.values()].filter((ids) => ids.size > 1).length;
  const topicMissing = [...expected].filter((change) => !idsByChange.has(change)).length;

  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${sorted.length}× median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s, max ${sorted.at(-1)!.toFixed(1)} s`;
  };
  log(summaryLine(tally));
  log(
    `events topic: ${messagesById.size} event ids; missing: ${topicMissing}; repeated under the same id: ${topicRepeats}; ` +
      `changes under more than one id: ${topicDoubled}`,
  );
  log(`faults injected: ${[...injected.entries()].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  log(
    `time to recover: ${[...recoveries.entries()].map(([kind, values]) => `${kind} ${stats(values)}`).join('; ')}`,
  );
  writeFileSync(
    join(parts.runDir, `result-${SEED}.json`),
    JSON.stringify(
      {
        seed: SEED,
        changes: CHANGES,
        made: made.length,
        replicas: REPLICAS,
        minutes: MINUTES,
        instances: INSTANCES,
        tenants: TENANTS,
        logDir: platform.logDir,
        generatorErrors,
        tally: {
          ...tally,
          lost: tally.lost.length,
          unexpected: tally.unexpected.length,
          doubledUnderNewIds: tally.doubledUnderNewIds.length,
        },
        topic: {
          ids: messagesById.size,
          missing: topicMissing,
          repeats: topicRepeats,
          doubled: topicDoubled,
        },
        injected: Object.fromEntries(injected),
        recoveries: Object.fromEntries(recoveries),
      },
      null,
      2,
    ),
  );
  const ok =
    tally.lost.length === 0 &&
    tally.doubledUnderNewIds.length === 0 &&
    tally.unexpected.length === 0 &&
    topicDoubled === 0;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause =
      error instanceof Error && error.cause !== undefined
        ? `\ncause: ${error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)}`
        : '';
    log(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}`);
    process.exit(1);
  },
);
