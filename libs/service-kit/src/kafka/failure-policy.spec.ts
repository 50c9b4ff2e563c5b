import { z } from 'zod';
import {
  backoffMs,
  classifyFailure,
  DEFAULT_FAILURE_POLICY,
  PoisonMessageError,
  redactReason,
} from './failure-policy';
import { runWithFailurePolicy, type FailurePolicyRun } from './run-with-failure-policy';

/** An error as node-postgres raises it (TypeORM's QueryFailedError copies these fields). */
function pgError(code: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name: 'error', code, severity: 'ERROR', ...extra });
}

describe('classifyFailure', () => {
  it.each([
    ['40001', 'could not serialize access'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'could not obtain lock'],
    ['08006', 'connection failure'],
    ['57P01', 'terminating connection due to administrator command'],
    ['53300', 'sorry, too many clients already'],
  ])('PostgreSQL %s is transient', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toMatchObject({ kind: 'transient', code: `pg_${code}` });
  });

  it.each([
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P02', 'invalid input syntax for type json'],
    ['23502', 'null value in column violates not-null constraint'],
  ])('PostgreSQL %s is deterministic', (code, message) => {
    expect(classifyFailure(pgError(code, message))).toMatchObject({
      kind: 'deterministic',
      code: `pg_${code}`,
    });
  });

  it('looks inside wrappers: TypeORM driverError, cause chains, AggregateError', () => {
    const typeorm = Object.assign(new Error('unsupported Unicode escape sequence'), {
      name: 'QueryFailedError',
      query: 'INSERT …',
      parameters: ['secret record'],
      driverError: pgError('22P05', 'unsupported Unicode escape sequence'),
    });
    expect(classifyFailure(typeorm)).toMatchObject({ kind: 'deterministic', code: 'pg_22P05' });
    expect(classifyFailure(typeorm).description).not.toContain('secret record');
    const refused = new AggregateError([Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })]);
    expect(classifyFailure(refused).kind).toBe('transient');
    expect(classifyFailure(new Error('outer', { cause: pgError('40P01', 'deadlock') })).kind).toBe(
      'transient',
    );
  });

  it('treats broker and connection trouble as transient, a record the broker refuses as deterministic', () => {
    const kafka = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    expect(classifyFailure(kafka)).toMatchObject({ kind: 'transient', code: 'broker' });
    const tooLarge = Object.assign(new Error('too large'), {
      name: 'KafkaJSProtocolError',
      type: 'MESSAGE_TOO_LARGE',
    });
    expect(classifyFailure(tooLarge)).toMatchObject({
      kind: 'deterministic',
      code: 'kafka_message_too_large',
    });
    expect(classifyFailure(new Error('Connection terminated unexpectedly')).kind).toBe('transient');
    expect(classifyFailure(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).kind).toBe('transient');
  });

  it('knows schema, encoding and explicit verdicts; anything else is unknown', () => {
    const zod = z.object({ a: z.string() }).safeParse({ a: 1 });
    expect(classifyFailure(zod.error)).toMatchObject({ kind: 'deterministic', code: 'schema' });
    expect(classifyFailure(new Error('lone surrogate in string')).kind).toBe('deterministic');
    expect(classifyFailure(new PoisonMessageError('bad', 'too_big'))).toMatchObject({
      kind: 'deterministic',
      code: 'too_big',
    });
    expect(classifyFailure(new TypeError('x is undefined'))).toMatchObject({
      kind: 'unknown',
      code: 'unknown',
    });
    expect(classifyFailure(pgError('42P01', 'relation does not exist')).kind).toBe('unknown');
    expect(classifyFailure(pgError('23503', 'foreign key')).kind).toBe('unknown');
  });

  it('redacts quoted input from what is logged', () => {
    expect(redactReason('invalid input syntax for type uuid: "secret-value"')).toBe(
      'invalid input syntax for type uuid: "…"',
    );
  });
});

describe('backoff', () => {
  it('doubles from the initial delay, is capped, and jitters between 50 and 100 %', () => {
    const options = { backoffInitialMs: 200, backoffMaxMs: 30000 };
    expect(backoffMs(1, options, () => 1)).toBe(200);
    expect(backoffMs(2, options, () => 1)).toBe(400);
    expect(backoffMs(5, options, () => 1)).toBe(3200);
    expect(backoffMs(50, options, () => 1)).toBe(30000);
    expect(backoffMs(1000, options, () => 0)).toBe(15000);
  });
});

/** A run over numbered messages whose handler fails as `fail` says; records every call. */
function harness(
  count: number,
  fail: (part: ReadonlyArray<number>, call: number) => Error | undefined,
  options: Partial<FailurePolicyRun<number>['options']> = {},
) {
  const calls: number[][] = [];
  const handled: number[] = [];
  const deadLettered: { message: number; code: string; attempts: number }[] = [];
  const pauses: number[] = [];
  let active = true;
  const run: FailurePolicyRun<number> = {
    messages: Array.from({ length: count }, (_, i) => i),
    options: { ...DEFAULT_FAILURE_POLICY, ...options },
    handle: async (part) => {
      calls.push([...part]);
      const error = fail(part, calls.length);
      if (error) throw error;
      handled.push(...part);
    },
    deadLetter: async (message, failure, attempts) => {
      deadLettered.push({ message, code: failure.code, attempts });
      return true;
    },
    isActive: () => active,
    pause: async (ms) => {
      pauses.push(ms);
    },
    random: () => 1,
  };
  return {
    run,
    calls,
    handled,
    deadLettered,
    pauses,
    stop: () => {
      active = false;
    },
  };
}

const poison = (bad: number) => (part: ReadonlyArray<number>) =>
  part.includes(bad) ? pgError('22P05', 'unsupported Unicode escape sequence') : undefined;

describe('runWithFailurePolicy', () => {
  it('isolates the poison message by bisecting: the others are handled, in order, once each', async () => {
    const h = harness(10, poison(6));
    expect(await runWithFailurePolicy(h.run)).toEqual({ deadLettered: 1 });
    expect(h.handled).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9]);
    expect(h.deadLettered).toEqual([{ message: 6, code: 'pg_22P05', attempts: 6 }]);
    // 3 attempts of the whole batch, then halves: [0..4] ok, [5..9] fails, [5,6] fails, [5] ok, [6] DLQ, [7..9] ok.
    expect(h.calls[0]).toHaveLength(10);
    expect(h.calls.slice(3)).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [5, 6], [5], [6], [7, 8, 9]]);
    // Only the attempts of the whole batch waited.
    expect(h.pauses).toEqual([200, 400]);
  });

  it('dead-letters a lone poison message after the deterministic budget, counting its attempts', async () => {
    const h = harness(1, poison(0), { maxDeterministicAttempts: 2 });
    expect(await runWithFailurePolicy(h.run)).toEqual({ deadLettered: 1 });
    expect(h.calls).toHaveLength(2);
    expect(h.deadLettered).toEqual([{ message: 0, code: 'pg_22P05', attempts: 2 }]);
  });

  it('finds several poison messages in one batch', async () => {
    const h = harness(8, (part) =>
      part.includes(1) || part.includes(6) ? new PoisonMessageError('no') : undefined,
    );
    await runWithFailurePolicy(h.run);
    expect(h.handled).toEqual([0, 2, 3, 4, 5, 7]);
    expect(h.deadLettered.map((d) => d.message)).toEqual([1, 6]);
  });

  it('retries transient failures for as long as they last, with capped backoff, and never dead-letters', async () => {
    const h = harness(3, (_part, call) =>
      call <= 25 ? Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) : undefined,
    );
    expect(await runWithFailurePolicy(h.run)).toEqual({ deadLettered: 0 });
    expect(h.handled).toEqual([0, 1, 2]);
    expect(h.deadLettered).toEqual([]);
    expect(h.calls.every((call) => call.length === 3)).toBe(true);
    expect(Math.max(...h.pauses)).toBe(30000);
  });

  it('bounds unknown failures: past maxUnknownAttempts the message is dead-lettered', async () => {
    const h = harness(2, (part) => (part.includes(1) ? new TypeError('boom') : undefined), {
      maxUnknownAttempts: 4,
    });
    await runWithFailurePolicy(h.run);
    expect(h.handled).toEqual([0]);
    expect(h.deadLettered).toEqual([{ message: 1, code: 'unknown', attempts: 5 }]);
    expect(h.pauses).toHaveLength(3); // the batch waited between its 4 attempts, then split at once
  });

  it('a transient failure does not use up the deterministic budget', async () => {
    let call = 0;
    const h = harness(1, () => {
      call += 1;
      if (call <= 5) return Object.assign(new Error('x'), { code: 'ECONNRESET' });
      if (call <= 7) return pgError('22021', 'invalid byte sequence');
      return undefined;
    });
    expect(await runWithFailurePolicy(h.run)).toEqual({ deadLettered: 0 });
    expect(h.handled).toEqual([0]);
  });

  it('stops without a verdict when the consumer stops (nothing dead-lettered, nothing committed)', async () => {
    const h = harness(4, (part, call) => {
      if (call === 2) h.stop();
      return poison(2)(part);
    });
    expect(await runWithFailurePolicy(h.run)).toBe('aborted');
    expect(h.deadLettered).toEqual([]);
  });
});
