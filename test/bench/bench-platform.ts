/**
 * What the pipeline benchmarks share (`e2e.bench.ts`, `latency.bench.ts`): the bench infrastructure and
 * the platform started on it (optionally tracing to a null OTLP receiver), and per-process CPU and peak
 * RSS read from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, PROFILES, startInfra } from '@pollcast/dev';
import { SimulatorClient } from '@pollcast/maximizer-sim';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { startPlatform, type RunningPlatform } from '../support/platform';

function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used; with `children`, also its reaped and live children's (PostgreSQL). */
function cpuSeconds(pid: number | undefined, children = false): number {
  if (pid === undefined) return NaN;
  const fields = (id: number) => {
    try {
      // Fields after the command name, which may contain spaces: state is [0], ppid [1], utime [11].
      return readFileSync(`/proc/${id}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ');
    } catch {
      return undefined;
    }
  };
  const own = fields(pid);
  if (!own) return NaN;
  const ticks = (values: string[], from: number, count: number) =>
    values.slice(from, from + count).reduce((sum, value) => sum + Number(value), 0);
  let total = ticks(own, 11, children ? 4 : 2);
  if (children) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = fields(Number(entry));
      if (child?.[1] === String(pid)) total += ticks(child, 11, 2);
    }
  }
  return total / 100; // USER_HZ
}

function postmasterPid(): number | undefined {
  try {
    return Number(
      readFileSync(join(dataDir(PROFILES.bench, 'postgres'), 'postmaster.pid'), 'utf8').split('\n')[0],
    );
  } catch {
    return undefined;
  }
}

/** Contacts the simulator holds now. */
export async function contactCount(simUrl: string): Promise<number> {
  const stats = await new SimulatorClient(simUrl).control<{ byType: { Contact: number } }>('GET', '/stats');
  return stats.body.byType.Contact;
}

/** Makes `count` new contacts changed between `from` and `to` (each also gets a parent company). */
export async function seedContacts(
  simUrl: string,
  seeding: { count: number; seed: number; from: string; to: string },
): Promise<void> {
  const seeded = await new SimulatorClient(simUrl).control('POST', '/seed', {
    ...seeding,
    mix: { Contact: 1 },
  });
  if (seeded.status >= 300) throw new Error(`seed → ${seeded.status} ${seeded.text}`);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface BenchPlatform {
  platform: RunningPlatform;
  databaseUrl: string;
  brokerPid: number | undefined;
  /** The OTLP null receiver's export count when tracing is on. */
  receiver: { requests: number } | undefined;
  /** CPU seconds used so far by each process (services by name, a replica with its index), the broker
   * and PostgreSQL (all backends). */
  cpuByProcess(): Map<string, number>;
  /** Peak RSS (MB) of each service process and the broker. */
  peakRssByProcess(): Record<string, number | undefined>;
  stop(): Promise<void>;
}

/**
 * Its own broker and database (bench ports), unless KAFKA_BROKERS / DATABASE_URL name others (leftovers
 * of an interrupted run in the bench folders are stopped first); then the platform on them, at
 * LOG_LEVEL=warn. With `tracing`, every service exports every poll's spans to a null OTLP receiver here.
 */
export async function startBenchPlatform(options: {
  tracing: boolean;
  log: (line: string) => void;
  env?: Record<string, string>;
}): Promise<BenchPlatform> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  };
  try {
    const infra = await startInfra(PROFILES.bench, options.log);
    process.env.KAFKA_BROKERS = infra.kafkaBrokers;
    process.env.DATABASE_URL = infra.databaseUrl;
    stops.push(() => infra.stop());
    const receiver = options.tracing ? await startOtlpReceiver({ keep: false }) : undefined;
    if (receiver) stops.unshift(() => receiver.stop());
    const tracingEnv: Record<string, string> = receiver
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_always_on' }
      : {};
    const platform = await startPlatform({
      logLevel: 'warn',
      env: { POLLER_OVERLAP_SECONDS: '2', ...tracingEnv, ...options.env },
    });
    stops.unshift(() => platform.stop());
    const brokerPid = infra.pids.kafka;
    const nameOf = (p: RunningPlatform['processes'][number]) =>
      p.spec.name + (platform.processes.filter((q) => q.spec.name === p.spec.name).indexOf(p) || '');
    return {
      platform,
      databaseUrl: infra.databaseUrl,
      brokerPid,
      receiver,
      cpuByProcess: () => {
        const entries: [string, number][] = platform.processes.map((p) => [
          nameOf(p),
          cpuSeconds(p.child.pid),
        ]);
        if (brokerPid) entries.push(['kafka', cpuSeconds(brokerPid)]);
        entries.push(['postgres (all backends)', cpuSeconds(postmasterPid(), true)]);
        return new Map(entries);
      },
      peakRssByProcess: () => {
        const rss: Record<string, number | undefined> = Object.fromEntries(
          platform.processes.map((p) => [nameOf(p), peakRssMb(p.child.pid)]),
        );
        if (brokerPid) rss['kafka'] = peakRssMb(brokerPid);
        return rss;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
