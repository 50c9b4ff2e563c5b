import type { SimClock } from './clock';

/** An injected fault; each simulator names its own kinds (`K`) and decides what they do. */
export interface FaultSpec<K extends string = string> {
  kind: K;
  /** Exact path (`/octopus/Read`) or prefix ending in `*` (`/octopus/*`); default: every provider path. */
  path?: string;
  /** Fire for the next N matching requests. Default 1 when neither count nor durationMs is given. */
  count?: number;
  /** Fire for every matching request during this span of simulator time. */
  durationMs?: number;
  /** serverError: HTTP status (default 500); rateLimit, where the simulator allows it: 429 or 403. */
  status?: number;
  /** rateLimit: Retry-After header in seconds (default 1). */
  retryAfterSeconds?: number;
  /** slow: delay before answering, in real milliseconds. */
  delayMs?: number;
  /** timeout: how long to hold the request before dropping the socket (real ms, default 300000). */
  holdMs?: number;
}

export type Fault<K extends string = string> = FaultSpec<K> & {
  readonly id: string;
  /** Requests left to hit; null = limited by time only. */
  remaining: number | null;
  /** Simulator time (epoch ms) after which the fault is gone; null = limited by count only. */
  readonly untilMs: number | null;
  fired: number;
};

/** Holds active faults and decides, per request, which one (if any) fires. */
export class FaultInjector<K extends string = string> {
  private faults: Fault<K>[] = [];
  private nextId = 1;

  constructor(private readonly clock: SimClock) {}

  add(spec: FaultSpec<K>): Fault<K> {
    const limitedByCount = spec.count !== undefined || spec.durationMs === undefined;
    const fault: Fault<K> = {
      ...spec,
      id: `f${this.nextId++}`,
      remaining: limitedByCount ? (spec.count ?? 1) : null,
      untilMs: spec.durationMs === undefined ? null : this.clock.nowMs() + spec.durationMs,
      fired: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault<K>[] {
    this.prune();
    return this.faults.map((fault) => ({ ...fault }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * Takes the first active fault of one of `kinds` that matches `path` and counts it as fired.
   * `applies` lets the caller skip faults that cannot act on this request (e.g. repeatPage without a PageKey).
   */
  take(
    path: string,
    kinds: readonly K[],
    applies: (fault: Fault<K>) => boolean = () => true,
  ): Fault<K> | null {
    this.prune();
    for (const fault of this.faults) {
      if (!kinds.includes(fault.kind) || !pathMatches(fault.path, path) || !applies(fault)) continue;
      fault.fired += 1;
      if (fault.remaining !== null) fault.remaining -= 1;
      const snapshot = { ...fault };
      this.prune();
      return snapshot;
    }
    return null;
  }

  private prune(): void {
    const now = this.clock.nowMs();
    this.faults = this.faults.filter(
      (fault) =>
        (fault.remaining === null || fault.remaining > 0) && (fault.untilMs === null || fault.untilMs > now),
    );
  }
}

function pathMatches(pattern: string | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}
