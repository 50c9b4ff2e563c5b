/**
 * The simulator's clock. Every date the simulator produces or compares (record timestamps, token and
 * code expiry, fault time spans) comes from here, so tests can move time deterministically instead
 * of sleeping.
 */
export interface ClockState {
  /** Current simulator time, ISO-8601 UTC. */
  readonly now: string;
  readonly frozen: boolean;
  /** How far the simulator runs ahead of (positive) or behind the underlying time source. */
  readonly offsetMs: number;
}

export class SimClock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  constructor(private readonly source: () => Date = () => new Date()) {}

  nowMs(): number {
    return this.frozenAtMs ?? this.source().getTime() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves time forward (or backward with a negative amount); works frozen or running. */
  advance(ms: number): Date {
    if (this.frozenAtMs !== null) this.frozenAtMs += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  /** Stops time at `at` (default: the current simulator time). */
  freeze(at?: Date): Date {
    this.frozenAtMs = (at ?? this.now()).getTime();
    return this.now();
  }

  /** Lets time run again from where it was frozen (no jump). */
  unfreeze(): Date {
    if (this.frozenAtMs !== null) {
      this.offsetMs = this.frozenAtMs - this.source().getTime();
      this.frozenAtMs = null;
    }
    return this.now();
  }

  /** Jumps to `at`, keeping the frozen / running state. */
  set(at: Date): Date {
    if (this.frozenAtMs !== null) this.frozenAtMs = at.getTime();
    else this.offsetMs = at.getTime() - this.source().getTime();
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAtMs = null;
  }

  state(): ClockState {
    return { now: this.now().toISOString(), frozen: this.frozenAtMs !== null, offsetMs: this.offsetMs };
  }
}
