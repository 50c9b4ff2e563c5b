/**
 * `npm run bench -- e2e`: the whole pipeline under load, beside its two ceilings measured in the same run.
 *
 * M instances poll the simulator's contacts; N contacts change at once; the benchmark times until the
 * sink holds N × M events, and reports events/s, change-to-callback latency after detection (sink
 * receipt − the poll that fetched the record), peak RSS per process — and, on the same machine and
 * broker, a bare undici loop against the sink and a kafkajs consume→produce pass-through, with ratios.
 * A warm-up round of BENCH_E2E_WARMUP_RECORDS (default 5000; 0 skips it) other contacts runs first and is
 * reported apart: the JIT of the services and the broker warms on it, as on a platform in service.
 * Env: BENCH_E2E_RECORDS (default 5000), BENCH_E2E_INSTANCES (4). Uses KAFKA_BROKERS / DATABASE_URL when
 * set, else starts its own broker and database on the bench ports. `npm run bench -- e2e --tracing`
 * (BENCH_TRACING=1) runs the services with tracing on, every poll sampled, exporting to a null OTLP
 * receiver in this process; compare its "CPU per event" with a run without the flag.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Pool } from 'undici';
import { topicName } from '@pollcast/contracts';
import { uniqueName, waitFor } from '@pollcast/testing';
import type { RequestSummary } from '@pollcast/webhook-sink';
import { allSinkRequests, createInstance, readTopicToEnd, sinkSummaries } from '../support/e2e-helpers';
import { contactCount, percentile, seedContacts, startBenchPlatform } from './bench-platform';

const RECORDS = Number(process.env.BENCH_E2E_RECORDS ?? 5000);
const INSTANCES = Number(process.env.BENCH_E2E_INSTANCES ?? 4);
const WARMUP_RECORDS = Number(process.env.BENCH_E2E_WARMUP_RECORDS ?? 5000);
const TRACING = process.env.BENCH_TRACING === '1';
/** With POLLCAST_PG_STATEMENT_STATS=1 the bench's PostgreSQL loads pg_stat_statements: the statements
 * that cost the most while the changes flowed are printed at the end. */
const STATEMENT_STATS = process.env.POLLCAST_PG_STATEMENT_STATS === '1';

async function statementStats(databaseUrl: string, action: 'reset' | 'report'): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    if (action === 'reset') {
      await client.query('SELECT pg_stat_statements_reset()');
      return [];
    }
    const { rows } = await client.query<{ ms: number; calls: string; rows: string; query: string }>(
      `SELECT round(total_exec_time::numeric, 1)::float AS ms, calls, rows,
              regexp_replace(left(query, 140), '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`,
    );
    return [
      '| statement (first 140 characters) | calls | rows | total ms |',
      '|---|---:|---:|---:|',
      ...rows.map(
        (row) => `| \`${row.query.replace(/\|/g, '\\|')}\` | ${row.calls} | ${row.rows} | ${row.ms} |`,
      ),
    ];
  } finally {
    await client.end();
  }
}
const log = (line: string) => process.stderr.write(`[bench:e2e] ${line}\n`);

/** The sink's raw ceiling: notifications of 10 events posted by a bare keep-alive loop. */
async function undiciCeiling(sinkUrl: string, body: string, seconds: number): Promise<number> {
  const pool = new Pool(sinkUrl, { connections: 16, pipelining: 1 });
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < deadline) {
        const response = await pool.request({
          path: '/ceiling',
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await response.body.dump();
        sent += 1;
      }
    }),
  );
  await pool.close();
  return sent / seconds;
}

/** A plain consume→produce loop on the same broker: what Kafka alone allows here. */
async function passThroughCeiling(
  brokers: string,
  messages: number,
  value: string,
): Promise<{ rate: number; clientMicrosPerMessage: number }> {
  const kafka = new Kafka({
    clientId: 'bench-pass',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const source = uniqueName('bench.src.');
  const sink = uniqueName('bench.dst.');
  await admin.createTopics({
    topics: [
      { topic: source, numPartitions: 6 },
      { topic: sink, numPartitions: 6 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < messages; i += 1000) {
    await producer.send({
      topic: source,
      acks: -1,
      messages: Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({ key: `k${i + j}`, value })),
    });
  }
  const consumer = kafka.consumer({ groupId: uniqueName('bench-pass-') });
  await consumer.connect();
  await consumer.subscribe({ topic: source, fromBeginning: true });
  let moved = 0;
  let began = 0;
  const cpuAtStart = process.cpuUsage();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (began === 0) began = Date.now();
        await producer.send({
          topic: sink,
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
        moved += batch.messages.length;
        if (moved >= messages) resolve();
      },
    });
  });
  const rate = moved / ((Date.now() - began) / 1000);
  const cpu = process.cpuUsage(cpuAtStart);
  await consumer.disconnect();
  await producer.disconnect();
  // The client's CPU (consume + produce in this process) per message moved: what a hop costs at least.
  return { rate, clientMicrosPerMessage: Math.round((cpu.user + cpu.system) / moved) };
}

async function main(): Promise<void> {
  const bench = await startBenchPlatform({ tracing: TRACING, log });
  const { platform, receiver } = bench;
  try {
    for (let i = 0; i < INSTANCES; i += 1) {
      await createInstance(platform, {
        name: `bench-${i}`,
        callbackUrl: `${platform.sinkUrl}/hooks/bench-${i}`,
        refreshInterval: '1',
        pollerConfiguration: { contacts: { pageSize: 1000 } },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 4000)); // first polls done

    const requests: RequestSummary[] = [];
    /** Seeds `count` new contacts (all changed now) and waits until the sink holds their events. */
    const round = async (count: number, seed: number) => {
      const contactsBefore = await contactCount(platform.simUrl);
      const now = new Date();
      await seedContacts(platform.simUrl, {
        count,
        seed,
        from: now.toISOString(),
        to: new Date(now.getTime() + 1000).toISOString(),
      });
      const began = Date.now();
      // The seed gives contacts a parent company: count the contacts it really made.
      const contacts = (await contactCount(platform.simUrl)) - contactsBefore;
      const expected = contacts * INSTANCES;
      const fromIndex = requests.length;
      let events = 0;
      // Fetched incrementally and without bodies: re-reading kept requests, or serialising and parsing
      // every notification while the round runs, would load the machine under test (the sink and this
      // process on the same cores). The bodies, for the latency, are read after the round.
      await waitFor(
        async () => {
          const fresh = await sinkSummaries(platform.sinkUrl, '/hooks/', requests.at(-1)?.seq ?? 0);
          requests.push(...fresh);
          events += fresh
            .filter((request) => request.response.status < 300 && !request.response.dropped)
            .reduce((sum, request) => sum + (request.events ?? 0), 0);
          return events >= expected;
        },
        { what: `${expected} events at the sink`, timeoutMs: 600000, intervalMs: 250 },
      );
      return { began, contacts, expected, events, requests: requests.slice(fromIndex) };
    };

    // Warm-up round: the services and the broker compile their hot paths (V8, the JVM's JIT) on the first
    // thousands of events; a platform in service runs warm, so the measured round comes second. Both
    // rounds are reported.
    let warmUp: { events: number; seconds: number; rate: number; cpuMicrosPerEvent: number } | undefined;
    if (WARMUP_RECORDS > 0) {
      log(`warm-up: seeding ${WARMUP_RECORDS} changed contacts`);
      const cpuAtStart = bench.cpuByProcess();
      const first = await round(WARMUP_RECORDS, 6);
      const cpuAtEnd = bench.cpuByProcess();
      const lastAt = Math.max(...first.requests.map((request) => request.receivedAtMs));
      const seconds = (lastAt - first.began) / 1000;
      const cpu = [...cpuAtEnd].reduce((sum, [name, used]) => sum + used - (cpuAtStart.get(name) ?? NaN), 0);
      warmUp = {
        events: first.expected,
        seconds,
        rate: first.expected / seconds,
        cpuMicrosPerEvent: Math.round((cpu * 1e6) / first.expected),
      };
      log(
        `warm-up: ${first.expected} events in ${seconds.toFixed(1)} s (${Math.round(warmUp.rate)} events/s)`,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the overlap re-reads settle
    }

    log(`seeding ${RECORDS} changed contacts`);
    const cpuBefore = bench.cpuByProcess();
    const benchCpuBefore = process.cpuUsage();
    if (STATEMENT_STATS) await statementStats(bench.databaseUrl, 'reset');
    const measured = await round(RECORDS, 7);
    const { began, contacts, expected } = measured;
    const cpuAfter = bench.cpuByProcess();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const statements = STATEMENT_STATS ? await statementStats(bench.databaseUrl, 'report') : [];
    const lastAt = Math.max(...measured.requests.map((request) => request.receivedAtMs));
    const seconds = (lastAt - began) / 1000;
    const pipelineRate = expected / seconds;

    // Latency after detection: sink receipt − polledAt of the raw change that carried the record.
    // Only what the measured round put on the topics (the warm-up's records are older).
    // Both topics are read now, after the round: readers running during it would take CPU from the
    // pipeline on the same cores.
    const rawMessages = (await readTopicToEnd(topicName('rawChanges', platform.topicPrefix))).filter(
      (message) => message.timestampMs >= began,
    );
    const eventMessages = (await readTopicToEnd(topicName('events', platform.topicPrefix))).filter(
      (message) => message.timestampMs >= began,
    );
    const polledAt = new Map<string, number>();
    for (const message of rawMessages) {
      const raw = message.value as { instanceId: string; objectId: string; polledAt: string };
      const key = `${raw.instanceId} ${raw.objectId}`;
      if (!polledAt.has(key)) polledAt.set(key, Date.parse(raw.polledAt));
    }
    const firstSeq = (measured.requests[0]?.seq ?? 1) - 1;
    const lastSeq = measured.requests.at(-1)?.seq ?? firstSeq;
    const delivered = (await allSinkRequests(platform.sinkUrl, '/hooks/', firstSeq)).filter(
      (request) => request.seq <= lastSeq && request.response.status < 300,
    );
    const latencies: number[] = [];
    for (const request of delivered) {
      const message = (
        request.json as { message: { instanceId: string | number; events: { objectId: string }[] } }
      ).message;
      for (const event of message.events) {
        const detected = polledAt.get(`${message.instanceId} ${event.objectId}`);
        if (detected !== undefined) latencies.push(request.receivedAtMs - detected);
      }
    }
    latencies.sort((a, b) => a - b);
    // Where the time goes: when each stage held its last record, counted from the seeding.
    const lastOf = (messages: { timestampMs: number }[]) =>
      messages.length === 0 ? NaN : Math.max(...messages.map((message) => message.timestampMs));
    const firstPoll = Math.min(...polledAt.values());
    const lastPoll = Math.max(...polledAt.values());
    const stages = [
      `first poll that saw a change +${((firstPoll - began) / 1000).toFixed(1)} s`,
      `last such poll +${((lastPoll - began) / 1000).toFixed(1)} s`,
      `last raw change on the topic +${((lastOf(rawMessages) - began) / 1000).toFixed(1)} s (${rawMessages.length} raw changes)`,
      `last event on the topic +${((lastOf(eventMessages) - began) / 1000).toFixed(1)} s (${eventMessages.length} events)`,
      `last callback +${seconds.toFixed(1)} s`,
    ];
    log(`stages: ${stages.join('; ')}`);

    const rss = bench.peakRssByProcess();

    log('measuring the ceilings on the same machine');
    const sampleBody = JSON.stringify(delivered[0]?.json ?? {});
    const accepted = measured.requests.filter((request) => request.response.status < 300).length;
    const eventsPerBody = Math.round(measured.events / Math.max(1, accepted));
    const undiciRequestsPerSecond = await undiciCeiling(platform.sinkUrl, sampleBody, 5);
    const passThrough = await passThroughCeiling(
      process.env.KAFKA_BROKERS ?? '',
      50000,
      JSON.stringify({ pad: 'x'.repeat(800) }),
    );

    const cpuUsed = (name: string) => (cpuAfter.get(name) ?? NaN) - (cpuBefore.get(name) ?? NaN);
    // CPU per event is the primary figure: it hardly depends on how fast the machine is or what else runs.
    const microsPerEvent = (cpuSecondsUsed: number) => Math.round((cpuSecondsUsed * 1e6) / expected);
    const serviceCpu = [...cpuAfter.keys()]
      .filter((name) => /^(instance-service|poller-service|normalizer|dispatcher)/.test(name))
      .reduce((sum, name) => sum + cpuUsed(name), 0);
    const totalCpu = [...cpuAfter.keys()].reduce((sum, name) => sum + cpuUsed(name), 0);
    const lines = [
      `Tracing ${receiver ? `on (every poll sampled, ${receiver.requests} OTLP exports to a null receiver)` : 'off'}; CPU per event: ${microsPerEvent(totalCpu)} µs all processes, ${microsPerEvent(serviceCpu)} µs the four services (${serviceCpu.toFixed(1)} CPU s for ${expected} events).`,
      '',
      warmUp
        ? `Warm-up round first (a cold platform; not in the figures below): ${warmUp.events} events in ${warmUp.seconds.toFixed(1)} s, ${Math.round(warmUp.rate)} events/s, ${warmUp.cpuMicrosPerEvent} µs CPU per event all processes.`
        : 'No warm-up round (BENCH_E2E_WARMUP_RECORDS=0): the figures below include the platform warming up.',
      '',
      `Stages after seeding: ${stages.join('; ')}.`,
      '',
      `| records × instances | events | seconds | events/s | latency after detection p50 / p99 (ms) |`,
      `|---:|---:|---:|---:|---|`,
      `| ${contacts} × ${INSTANCES} | ${expected} | ${seconds.toFixed(1)} | ${Math.round(pipelineRate)} | ${percentile(latencies, 50)} / ${percentile(latencies, 99)} (${latencies.length} samples) |`,
      '',
      `| ceiling, same run | rate | pipeline ÷ ceiling |`,
      `|---|---:|---:|`,
      `| bare undici loop → sink (${eventsPerBody}-event bodies) | ${Math.round(undiciRequestsPerSecond)} req/s = ${Math.round(undiciRequestsPerSecond * eventsPerBody)} events/s | ${(pipelineRate / (undiciRequestsPerSecond * eventsPerBody)).toFixed(2)} |`,
      `| kafkajs consume→produce pass-through (${passThrough.clientMicrosPerMessage} µs client CPU per message) | ${Math.round(passThrough.rate)} msg/s | ${(pipelineRate / passThrough.rate).toFixed(2)} |`,
      '',
      `| process | peak RSS (MB) | CPU s while the changes flowed (${seconds.toFixed(1)} s wall, 2 cores) | CPU µs per event |`,
      `|---|---:|---:|---:|`,
      ...[...cpuAfter.keys()].map(
        (name) =>
          `| ${name} | ${rss[name] ?? 'n/a'} | ${cpuUsed(name).toFixed(1)} | ${microsPerEvent(cpuUsed(name))} |`,
      ),
      `| **all processes** | | ${totalCpu.toFixed(1)} | **${microsPerEvent(totalCpu)}** |`,
      // Not the platform's, but on the same cores: what measuring costs (both topics read, the sink polled).
      `| this bench process (not in the total) | | ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} | ${microsPerEvent((benchCpu.user + benchCpu.system) / 1e6)} |`,
      ...(statements.length > 0
        ? ['', 'PostgreSQL statements while the changes flowed:', '', ...statements]
        : []),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
