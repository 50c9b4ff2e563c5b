import { performance } from 'node:perf_hooks';

/** Thrown before a publish when the poll's lease is no longer ours (taken over after it expired). */
export class LeaseLostError extends Error {
  constructor(pollId: string) {
    super(`the lease of poll ${pollId} was taken over; publishing nothing more`);
    this.name = 'LeaseLostError';
  }
}

/**
 * What this process knows of one poll's lease, on its own monotonic clock: the lease is surely held
 * until `leaseMs` after the moment the claim (or the last renewal) was *sent* — the database set its
 * expiry later than that. A process paused (SIGSTOP, a long GC, a frozen VM) past that moment cannot
 * know whether another replica took the row over, and must ask the database before it publishes.
 */
export class PollLease {
  private heldUntil: number;

  constructor(
    private readonly leaseMs: number,
    sentAt: number,
  ) {
    this.heldUntil = sentAt + leaseMs;
  }

  /** Renewal (or confirmation) sent at `sentAt` succeeded. */
  renewed(sentAt: number): void {
    this.heldUntil = Math.max(this.heldUntil, sentAt + this.leaseMs);
  }

  /** Held with a margin of a third of the lease (renewals run every third, so a live replica always is). */
  surelyHeld(now = performance.now()): boolean {
    return now < this.heldUntil - this.leaseMs / 3;
  }
}
