// The soak's fault plan: which faults exist, how long a pause must last to outlive a lease, the toxics'
// settings, and the seeded schedule (mulberry32, replayable with --seed). docs/reliability.md lists them.
import { prng } from '@pollcast/maximizer-sim';
import type { ServiceName } from './fault-kit';

/** Leases the pauses must outlast (soak.ts starts the services with them). */
export const POLLER_LEASE_SECONDS = 10;
export const DISPATCHER_TIMEOUT_MS = 5000; // its lease is this + 30 s
export const PAUSE_MS: Record<'poller-service' | 'normalizer' | 'dispatcher', number> = {
  'poller-service': (POLLER_LEASE_SECONDS + 5) * 1000,
  normalizer: 20_000,
  dispatcher: DISPATCHER_TIMEOUT_MS + 30_000 + 5000,
};

export type Target = 'kafka' | 'postgres' | 'provider' | 'callback';
export type NetToxic = 'latency' | 'bandwidth' | 'reset_peer' | 'timeout';
export type Fault =
  | { kind: 'kill-9'; service: ServiceName; replica: number }
  | { kind: 'pause'; service: 'poller-service' | 'normalizer' | 'dispatcher'; replica: number }
  | { kind: 'broker-restart' }
  | { kind: 'postgres-restart' }
  | { kind: 'net'; target: Target; toxic: NetToxic; seconds: number };

export function faultKind(fault: Fault): string {
  return fault.kind === 'net' ? `net ${fault.toxic}` : fault.kind;
}

export function describe(fault: Fault): string {
  switch (fault.kind) {
    case 'kill-9':
      return `kill -9 ${fault.service} replica ${fault.replica}`;
    case 'pause':
      return `SIGSTOP ${fault.service} replica ${fault.replica} for ${PAUSE_MS[fault.service] / 1000} s`;
    case 'net':
      return `${fault.toxic} on ${fault.target} for ${fault.seconds} s`;
    case 'broker-restart':
    case 'postgres-restart':
      return fault.kind;
  }
}

/** Each kind as often as it is drawn: kill-9 3 in 11, pause 2, net 4, each restart 1. */
const WEIGHTED_KINDS: ReadonlyArray<Fault['kind']> = [
  'kill-9',
  'kill-9',
  'kill-9',
  'pause',
  'pause',
  'net',
  'net',
  'net',
  'net',
  'broker-restart',
  'postgres-restart',
];

export const FAULT_KINDS: ReadonlyArray<Fault['kind']> = [...new Set(WEIGHTED_KINDS)];

/** `count` faults drawn from `seed`, aimed at replicas 0 … `replicas` − 1; only of `kinds` when given
 * (`--kinds`, e.g. to time one kind's recovery). */
export function schedule(
  seed: number,
  count: number,
  replicas: number,
  kinds: ReadonlyArray<Fault['kind']> = FAULT_KINDS,
): Fault[] {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const weighted = WEIGHTED_KINDS.filter((kind) => kinds.includes(kind));
  return Array.from({ length: count }, (): Fault => {
    const kind = pick(weighted);
    switch (kind) {
      case 'kill-9':
        return {
          kind,
          service: pick(['poller-service', 'normalizer', 'dispatcher', 'instance-service'] as const),
          replica: Math.floor(next() * replicas),
        };
      case 'pause':
        return {
          kind,
          service: pick(['poller-service', 'normalizer', 'dispatcher'] as const),
          replica: Math.floor(next() * replicas),
        };
      case 'net':
        return {
          kind,
          target: pick(['kafka', 'postgres', 'provider', 'callback'] as const),
          toxic: pick(['latency', 'bandwidth', 'reset_peer', 'timeout'] as const),
          seconds: 10 + Math.floor(next() * 21),
        };
      case 'broker-restart':
      case 'postgres-restart':
        return { kind };
    }
  });
}

export const TOXIC_ATTRIBUTES: Record<NetToxic, Record<string, number>> = {
  latency: { latency: 1000, jitter: 500 },
  bandwidth: { rate: 16 }, // KB/s
  reset_peer: { timeout: 0 }, // every connection reset (RST) as soon as data flows
  timeout: { timeout: 0 }, // half-open: connections stay open and nothing answers until removed
};
