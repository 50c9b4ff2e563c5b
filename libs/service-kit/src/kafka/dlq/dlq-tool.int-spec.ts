import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { DLQ_HEADER_PREFIX, HEADERS } from '@pollcast/contracts';
import { kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { ConsumerRunner, type ConsumedMessage } from '../consumer-runner';
import { PoisonMessageError } from '../failure-policy';
import { KafkaClient } from '../kafka-client';
import { runDlqCli } from './dlq-cli';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');
const valueSchema = z.object({ n: z.number(), poison: z.boolean() });
type Value = z.infer<typeof valueSchema>;

/**
 * The replay CLI on the real broker: dead letters made by a real ConsumerRunner go back to their source
 * topic with key, value and original headers (no DLQ ones), in order, and the consumer processes them.
 */
describe('npm run dlq: list, show and replay on the real broker', () => {
  const prefix = `${uniqueName('dlq')}.`;
  const sourceTopic = `${prefix}pollcast.events.v1`;
  const dlqTopic = `${prefix}pollcast.events.dlq.v1`;
  const env = { KAFKA_BROKERS: kafkaBrokers() };
  let client: KafkaClient;
  let runner: ConsumerRunner<Value>;
  const handled: ConsumedMessage<Value | null>[] = [];
  let acceptPoison = false;

  beforeAll(async () => {
    client = new KafkaClient(`${prefix}test`, kafkaBrokers().split(','), pino({ level: 'silent' }));
    await client.ensureTopics([
      { name: sourceTopic, partitions: 1 },
      { name: dlqTopic, partitions: 1 },
    ]);
    runner = new ConsumerRunner<Value>(
      client,
      {
        groupId: `${prefix}group`,
        topic: sourceTopic,
        dlqTopic,
        schema: valueSchema,
        failurePolicy: { backoffInitialMs: 20, backoffMaxMs: 100 },
        handle: async (batch) => {
          if (!acceptPoison && batch.some((m) => m.value?.poison))
            throw new PoisonMessageError('poison for this test', 'test_poison');
          handled.push(...batch);
        },
      },
      pino({ level: 'silent' }),
      'dlq-test',
    );
    await runner.start();
  }, 60000);

  afterAll(async () => {
    await runner?.stop();
    await client?.disconnect();
  });

  it('replays a range back to the source topic with key and original headers, and reports it', async () => {
    await client.publish(
      sourceTopic,
      [0, 1, 2, 3, 4].map((n) => ({
        key: `key-${n}`,
        value: { n, poison: n === 1 || n === 3 },
        headers: { [HEADERS.correlationId]: `poll-${n}`, 'x-trace': `trace-${n}` },
      })),
    );
    await waitFor(() => handled.length >= 3, { what: 'the three good messages' });
    expect(handled.map((m) => m.value?.n)).toEqual([0, 2, 4]);

    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(`ERR ${line}`) };
    await waitFor(
      async () => {
        lines.length = 0;
        await runDlqCli(['list', '--prefix', prefix], env, io);
        return lines.some((line) => line.startsWith(`${dlqTopic}  2 message(s)`));
      },
      { what: 'two dead letters listed' },
    );
    expect(lines).toContain('  partition 0: 2 (offsets 0..1)');

    lines.length = 0;
    expect(await runDlqCli(['show', '--topic', dlqTopic, '--partition', '0'], env, io)).toBe(0);
    expect(lines[0]).toMatch(
      new RegExp(
        `^0  key=key-1  from=${sourceTopic.replace(/\./g, '\\.')}\\[0\\]@1  service=dlq-test  attempts=5  at=\\S+  reason=PoisonMessageError: poison for this test$`,
      ),
    );
    expect(lines.at(-1)).toBe('2 dead letter(s)');
    expect(lines.join('\n')).not.toContain('"poison":true'); // show never prints values

    // The "fix" is deployed; replay the second dead letter only (offset 1 = the message n=3).
    acceptPoison = true;
    lines.length = 0;
    const code = await runDlqCli(
      ['replay', '--topic', dlqTopic, '--partition', '0', '--from', '1', '--to', '1'],
      env,
      io,
    );
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe(
      `replayed 1 message(s) of ${dlqTopic}[0] offsets 1..1 (1 to ${sourceTopic}); skipped 0 without a source topic`,
    );
    await waitFor(() => handled.length >= 4, { what: 'the replayed message handled' });
    const replayed = handled[3];
    expect(replayed?.value).toEqual({ n: 3, poison: true });
    expect(replayed?.key).toBe('key-3');
    expect(replayed?.headers).toEqual({ [HEADERS.correlationId]: 'poll-3', 'x-trace': 'trace-3' });
    expect(Object.keys(replayed?.headers ?? {}).some((name) => name.startsWith(DLQ_HEADER_PREFIX))).toBe(
      false,
    );

    // The npm script's entry point, as an operator runs it: the rest of the DLQ (offset 0, n=1).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(REPO_ROOT, 'libs/service-kit/bin/dlq.js'),
        'replay',
        '--topic',
        dlqTopic,
        '--partition',
        '0',
        '--to',
        '0',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, KAFKA_BROKERS: kafkaBrokers() }, timeout: 60000 },
    );
    expect(stdout).toContain(`replayed 1 message(s) of ${dlqTopic}[0] offsets 0..0 (1 to ${sourceTopic})`);
    await waitFor(() => handled.length >= 5, { what: 'the second replayed message handled' });
    expect(handled[4]?.value).toEqual({ n: 1, poison: true });
  }, 120000);

  it('answers an empty range with nothing to do, and refuses a missing partition or argument', async () => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(`ERR ${line}`) };
    expect(
      await runDlqCli(['replay', '--topic', dlqTopic, '--partition', '0', '--from', '50'], env, io),
    ).toBe(0);
    expect(lines.at(-1)).toMatch(/^nothing to replay/);
    expect(await runDlqCli(['replay', '--topic', dlqTopic, '--partition', '7'], env, io)).toBe(1);
    expect(lines.at(-1)).toBe(`ERR dlq: ${dlqTopic} has no partition 7`);
    expect(await runDlqCli(['replay', '--partition', '0'], env, io)).toBe(2);
  });
});
