import { backoffMs, classifyFailure, type FailureClass, type FailurePolicyOptions } from './failure-policy';

export interface FailurePolicyRun<M> {
  /** One partition's messages, in offset order. */
  messages: ReadonlyArray<M>;
  options: FailurePolicyOptions;
  /** Handles a contiguous part of `messages`; `attemptOf(m)` is the attempt it is on (1 = first). */
  handle(part: ReadonlyArray<M>, attemptOf: (message: M) => number): Promise<void>;
  /** Sends the isolated message to the DLQ; resolves false when the consumer stopped first. */
  deadLetter(message: M, failure: FailureClass, attempts: number): Promise<boolean>;
  /** False once the consumer is stopping or the partition was revoked: nothing more may happen. */
  isActive(): boolean;
  /** Waits between attempts (the runner heartbeats meanwhile). */
  pause(ms: number): Promise<void>;
  onRetry?(retry: {
    error: unknown;
    failure: FailureClass;
    attempt: number;
    delayMs: number;
    /** The part that failed: its first message and how many. */
    first: M;
    size: number;
  }): void;
  random?: () => number;
}

export type FailurePolicyOutcome = 'aborted' | { deadLettered: number };

/**
 * Handles `messages` under the failure policy: transient failures retry the same messages with capped
 * backoff for as long as it takes; a part that keeps failing deterministically (or with an unknown
 * error past its budget) is split in two and each half is handled in order, down to the one message
 * that fails on its own, which is dead-lettered — so every other message of the batch is still
 * handled, in offset order, and only the poison one is not.
 *
 * Attempts are counted per message: every call of `handle` that included it and failed. Only
 * non-transient failures count toward the budgets, so an outage never pushes a message into the DLQ.
 */
export async function runWithFailurePolicy<M>(run: FailurePolicyRun<M>): Promise<FailurePolicyOutcome> {
  const { messages, options } = run;
  const failedAttempts = new Array<number>(messages.length).fill(0);
  const strikes = new Array<number>(messages.length).fill(0);
  const indexOf = new Map<M, number>(messages.map((message, index) => [message, index]));
  const attemptOf = (message: M) => (failedAttempts[indexOf.get(message) ?? -1] ?? 0) + 1;
  let deadLettered = 0;

  /** Handles messages[from, to); `splitting`: a deterministic failure is already established above. */
  const handleRange = async (from: number, to: number, splitting: boolean): Promise<boolean> => {
    for (let rangeAttempt = 1; ; rangeAttempt += 1) {
      if (!run.isActive()) return false;
      try {
        await run.handle(messages.slice(from, to), attemptOf);
        return true;
      } catch (error) {
        if (!run.isActive()) return false; // e.g. "consumer stopping": not a verdict on the messages
        const failure = classifyFailure(error);
        for (let i = from; i < to; i += 1) {
          failedAttempts[i] = (failedAttempts[i] ?? 0) + 1;
          if (failure.kind !== 'transient') strikes[i] = (strikes[i] ?? 0) + 1;
        }
        if (failure.kind !== 'transient') {
          const budget =
            failure.kind === 'deterministic' ? options.maxDeterministicAttempts : options.maxUnknownAttempts;
          if (to - from === 1) {
            if ((strikes[from] ?? 0) >= budget) {
              const message = messages[from] as M;
              if (!(await run.deadLetter(message, failure, failedAttempts[from] ?? 1))) return false;
              deadLettered += 1;
              return true;
            }
          } else if (splitting || rangeAttempt >= budget) {
            const middle = from + Math.floor((to - from) / 2);
            return (await handleRange(from, middle, true)) && handleRange(middle, to, true);
          }
        }
        const delayMs = backoffMs(rangeAttempt, options, run.random);
        run.onRetry?.({
          error,
          failure,
          attempt: rangeAttempt,
          delayMs,
          first: messages[from] as M,
          size: to - from,
        });
        await run.pause(delayMs);
      }
    }
  };

  if (messages.length === 0) return { deadLettered: 0 };
  return (await handleRange(0, messages.length, false)) ? { deadLettered } : 'aborted';
}
