/**
 * `npm run bench -- latency`: latency at a steady rate, where `e2e` measures a burst.
 *
 * M instances poll the simulator's contacts every second; the benchmark makes contacts change at a fixed
 * rate (each change becomes M events, so changes/s = events/s ÷ M) for a while, then reports, for the
 * changes the poller read after a warm-up, p50 / p99 / max latency from the moment the poller had the
 * record (the raw change's `polledAt`) to three points: the raw change on `pollcast.changes.raw.v1`, the
 * event on `pollcast.events.v1` (both the Kafka record's timestamp: its producer's send time) and the
 * callback's arrival at the sink. Each rate runs on the same platform, one after the other; CPU µs per
 * event per process is printed for each.
 * Flags (after the name) or env: `--rates=1000,5000` / BENCH_LATENCY_RATES (events/s, default 1000,5000),
 * `--seconds=60` / BENCH_LATENCY_SECONDS (feeding time per rate, default 60), `--warmup=5` /
 * BENCH_LATENCY_WARMUP_SECONDS (first seconds of each rate left out, default 5), `--preheat=60` /
 * BENCH_LATENCY_PREHEAT_SECONDS (a first, unreported phase at the first rate that warms the JIT of the
 * services and the broker, as on a platform in service; 0 skips it), BENCH_LATENCY_INSTANCES
 * (4), BENCH_LATENCY_DRAIN_SECONDS (how long to wait for a rate's last callback, default 300; then what
 * arrived is reported). Infrastructure and `--tracing` as in the e2e bench.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { topicName } from '@pollcast/contracts';
import { kafkaBrokers, waitFor } from '@pollcast/testing';
import { allSinkRequests, createInstance, type SinkRequest, sinkSummaries } from '../support/e2e-helpers';
import { contactCount, percentile, seedContacts, startBenchPlatform } from './bench-platform';

function setting(flag: string, variable: string, fallback: string): string {
  const prefix = `--${flag}=`;
  const given = process.argv.find((arg) => arg.startsWith(prefix));
  return given?.slice(prefix.length) ?? process.env[variable] ?? fallback;
}

const RATES = setting('rates', 'BENCH_LATENCY_RATES', '1000,5000')
  .split(',')
  .map(Number)
  .filter((rate) => rate > 0);
const SECONDS = Number(setting('seconds', 'BENCH_LATENCY_SECONDS', '60'));
const WARMUP_SECONDS = Number(setting('warmup', 'BENCH_LATENCY_WARMUP_SECONDS', '5'));
const PREHEAT_SECONDS = Number(setting('preheat', 'BENCH_LATENCY_PREHEAT_SECONDS', '60'));
const INSTANCES = Number(process.env.BENCH_LATENCY_INSTANCES ?? 4);
const TRACING = process.env.BENCH_TRACING === '1';
/** The feeder seeds this often: the rate is kept per tick, polls (every second) see it as steady. */
const TICK_MS = 200;
/** How long after feeding a rate the bench waits for its last callback. */
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_LATENCY_DRAIN_SECONDS ?? 300) * 1000;
const log = (line: string) => process.stderr.write(`[bench:latency] ${line}\n`);

/** First time each `instanceId objectId` reached a topic (its Kafka timestamp), and for raw changes the
 * poll that read it; keeps only those numbers, not the records, so a long run does not fill memory. */
class TopicTimes {
  readonly firstAt = new Map<string, number>();
  readonly polledAt = new Map<string, number>();
  private consumer: Consumer | undefined;
  constructor(
    private readonly topic: string,
    private readonly withPolledAt: boolean,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: 'latency-reader',
      brokers: kafkaBrokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({ groupId: `latency-${this.topic}-${Date.now()}` });
    await this.consumer.connect();
    await waitFor(
      async () => {
        await this.consumer?.subscribe({ topic: this.topic, fromBeginning: true });
        return true;
      },
      { what: `topic ${this.topic}`, timeoutMs: 60000, intervalMs: 500 },
    );
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!message.value) continue;
          const value = JSON.parse(message.value.toString()) as {
            instanceId: string;
            objectId: string;
            polledAt?: string;
          };
          const key = `${value.instanceId} ${value.objectId}`;
          if (this.firstAt.has(key)) continue; // the poller's overlap re-reads: the first one counts
          this.firstAt.set(key, Number(message.timestamp));
          if (this.withPolledAt && value.polledAt) this.polledAt.set(key, Date.parse(value.polledAt));
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

interface Distribution {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    count: sorted.length,
  };
}

async function main(): Promise<void> {
  if (RATES.length === 0 || !(SECONDS > 0)) throw new Error('give --rates=<events/s,…> and --seconds=<n>');
  const bench = await startBenchPlatform({ tracing: TRACING, log });
  const { platform } = bench;
  try {
    const raw = new TopicTimes(topicName('rawChanges', platform.topicPrefix), true);
    const events = new TopicTimes(topicName('events', platform.topicPrefix), false);
    await raw.start();
    await events.start();
    for (let i = 0; i < INSTANCES; i += 1) {
      await createInstance(platform, {
        name: `latency-${i}`,
        callbackUrl: `${platform.sinkUrl}/hooks/latency-${i}`,
        refreshInterval: '1',
        pollerConfiguration: { contacts: { pageSize: 1000 } },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 4000)); // first polls done

    // Callbacks, read incrementally: arrival per `instanceId objectId` (the first delivery counts).
    const arrivedAt = new Map<string, number>();
    let lastSeq = 0;
    const readRequest = (request: SinkRequest) => {
      lastSeq = request.seq;
      if (request.response.status >= 300) return;
      const message = (
        request.json as { message: { instanceId: string | number; events: { objectId: string }[] } }
      ).message;
      for (const event of message.events) {
        const key = `${message.instanceId} ${event.objectId}`;
        if (!arrivedAt.has(key)) arrivedAt.set(key, request.receivedAtMs);
      }
    };
    /** Everything new, every page of it, not a page per poll. */
    const readSink = async () => {
      for (const request of await allSinkRequests(platform.sinkUrl, '/hooks/', lastSeq)) readRequest(request);
    };

    // Events delivered so far, from summaries (no bodies): what the drain polls, so the sink does not
    // serialise every notification (and this process parse it) while the last callbacks arrive — that
    // blocked the sink for whole seconds at 5,000/s and delayed the very receipts being measured.
    let summarySeq = 0;
    let deliveredEvents = 0;
    let expectedSoFar = 0;
    const countSink = async () => {
      for (const request of await sinkSummaries(platform.sinkUrl, '/hooks/', summarySeq)) {
        summarySeq = request.seq;
        if (request.response.status < 300 && !request.response.dropped)
          deliveredEvents += request.events ?? 0;
      }
    };

    const rows: string[] = [];
    const cpuRows: string[] = [];
    let seedNumber = 100;
    // Preheat first (not reported): the services' and the broker's JIT compile their hot paths over the
    // first minutes of load (the broker's C2 compiler alone used ~0.2 of a core for 90 s), and a platform
    // in service runs warm.
    const phases = [
      ...(PREHEAT_SECONDS > 0 ? [{ rate: RATES[0] ?? 1000, seconds: PREHEAT_SECONDS, reported: false }] : []),
      ...RATES.map((rate) => ({ rate, seconds: SECONDS, reported: true })),
    ];
    for (const { rate, seconds: phaseSeconds, reported } of phases) {
      const changesPerSecond = rate / INSTANCES;
      log(
        `${reported ? '' : 'preheat (not reported): '}${rate} events/s (${changesPerSecond} changed contacts/s × ${INSTANCES} instances) for ${phaseSeconds} s`,
      );
      const contactsBefore = await contactCount(platform.simUrl);
      const cpuBefore = bench.cpuByProcess();
      const benchCpuBefore = process.cpuUsage();
      const began = Date.now();
      let seeded = 0;
      // The feeder: every tick, as many new contacts as the rate owes by now (dated now).
      while (Date.now() - began < phaseSeconds * 1000) {
        const owed = Math.floor(((Date.now() - began) / 1000) * changesPerSecond) - seeded;
        if (owed > 0) {
          const now = new Date().toISOString();
          seedNumber += 1;
          await seedContacts(platform.simUrl, { count: owed, seed: seedNumber, from: now, to: now });
          seeded += owed;
        }
        await new Promise((resolve) => setTimeout(resolve, TICK_MS - ((Date.now() - began) % TICK_MS)));
      }
      const fedSeconds = (Date.now() - began) / 1000;
      const contacts = (await contactCount(platform.simUrl)) - contactsBefore;
      const expected = contacts * INSTANCES;
      // Wait until every change of this rate is at the sink (each seeded contact, once per instance).
      const keysOfRate = () => [...raw.polledAt].filter(([, polled]) => polled >= began).map(([key]) => key);
      // Bounded: at a rate the machine cannot keep up with, what arrived is reported (the rest counted
      // as not delivered) instead of waiting without end.
      expectedSoFar += expected;
      const drained = await waitFor(
        async () => {
          await countSink();
          if (deliveredEvents < expectedSoFar) return false;
          await readSink(); // the bodies, once they should all be there
          return keysOfRate().filter((key) => arrivedAt.has(key)).length >= expected;
        },
        { what: `${expected} events of ${rate}/s at the sink`, timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 500 },
      ).then(
        () => true,
        () => false,
      );
      const drainedSeconds = (Date.now() - began) / 1000;
      if (!drained) {
        await readSink(); // what did arrive is reported
        expectedSoFar = deliveredEvents; // the missing ones do not hold up the next rate's drain
      }
      // When the last callback of the rate arrived, by the sink's receipts (the drain polls every 500 ms
      // and reads the bodies after; neither belongs in the figure).
      const lastArrivalMs = keysOfRate().reduce(
        (last, key) => Math.max(last, arrivedAt.get(key) ?? 0),
        began,
      );
      const deliveredSeconds = drained ? (lastArrivalMs - began) / 1000 : drainedSeconds;
      const cpuAfter = bench.cpuByProcess();
      const benchCpu = process.cpuUsage(benchCpuBefore);
      const counted = keysOfRate().filter(
        (key) => (raw.polledAt.get(key) ?? 0) >= began + WARMUP_SECONDS * 1000,
      );
      const since = (points: Map<string, number>) =>
        distribution(
          counted
            .filter((key) => points.has(key))
            .map((key) => (points.get(key) ?? NaN) - (raw.polledAt.get(key) ?? NaN)),
        );
      if (!reported) {
        const callback = since(arrivedAt);
        log(
          `preheat done: ${expected} events, callback p50 / p99 ${callback.p50} / ${callback.p99} ms, ${drained ? 'all delivered' : 'NOT all delivered'} ${deliveredSeconds.toFixed(1)} s after its start`,
        );
        continue;
      }
      const stages: [string, Distribution][] = [
        ['raw topic', since(raw.firstAt)],
        ['events topic', since(events.firstAt)],
        ['callback', since(arrivedAt)],
      ];
      for (const [stage, d] of stages)
        rows.push(
          `| ${rate.toLocaleString('en-US')} | ${stage} | ${d.p50} | ${d.p99} | ${d.max} | ${d.count.toLocaleString('en-US')} of ${counted.length.toLocaleString('en-US')} |`,
        );
      log(`${rate}/s done:\n${rows.slice(-3).join('\n')}`);
      const cpuUsed = (name: string) => (cpuAfter.get(name) ?? NaN) - (cpuBefore.get(name) ?? NaN);
      const micros = (seconds: number) => Math.round((seconds * 1e6) / expected);
      // PostgreSQL's CPU is known only for the bench's own database (not with an external DATABASE_URL).
      const measured = [...cpuAfter.keys()].filter((name) => Number.isFinite(cpuUsed(name)));
      const total = measured.reduce((sum, name) => sum + cpuUsed(name), 0);
      cpuRows.push(
        `| ${rate.toLocaleString('en-US')} | ${(expected / fedSeconds).toFixed(0)} | ${measured.map((name) => `${name} ${micros(cpuUsed(name))}`).join(', ')} | **${micros(total)}** | ${(total / drainedSeconds / 2).toFixed(2)} | ${micros((benchCpu.user + benchCpu.system) / 1e6)} |`,
      );
      log(
        `${rate}/s: ${expected} events (${contacts} contacts × ${INSTANCES}) fed in ${fedSeconds.toFixed(1)} s, ${drained ? 'all delivered' : 'NOT all delivered'} ${deliveredSeconds.toFixed(1)} s after the start`,
      );
    }
    await raw.stop();
    await events.stop();

    const lines = [
      `Tracing ${bench.receiver ? 'on' : 'off'}; ${INSTANCES} instances polling every second; ${PREHEAT_SECONDS > 0 ? `after ${PREHEAT_SECONDS} s of preheat at ${RATES[0]} events/s (not reported), ` : 'no preheat (a cold platform), '}${SECONDS} s per rate, the first ${WARMUP_SECONDS} s left out; latency from the poll that read the record (its polledAt) to each stage.`,
      '',
      '| events/s | stage reached | p50 ms | p99 ms | max ms | reached of counted |',
      '|---:|---|---:|---:|---:|---:|',
      ...rows,
      '',
      '| events/s | achieved events/s | CPU µs per event, per process | all processes | share of 2 cores | this bench process (topic and sink readers; not in the total) |',
      '|---:|---:|---|---:|---:|---:|',
      ...cpuRows,
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
