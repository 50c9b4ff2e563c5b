import pino from 'pino';
import { z } from 'zod';
import { ConsumerRunner } from './consumer-runner';
import type { KafkaClient } from './kafka-client';

type CrashListener = (event: { payload: { error: Error; restart: boolean } }) => void;

/** Just enough of a kafkajs consumer to see it started, crashed and replaced. */
function fakeKafka() {
  const consumers: { crash: CrashListener | undefined; running: boolean; disconnected: boolean }[] = [];
  const client = {
    kafka: {
      consumer: () => {
        const state = { crash: undefined as CrashListener | undefined, running: false, disconnected: false };
        consumers.push(state);
        return {
          events: { CRASH: 'consumer.crash' },
          on: (_event: string, listener: CrashListener) => {
            state.crash = listener;
          },
          connect: () => Promise.resolve(),
          subscribe: () => Promise.resolve(),
          run: () => {
            state.running = true;
            return Promise.resolve();
          },
          disconnect: () => {
            state.disconnected = true;
            return Promise.resolve();
          },
        };
      },
    },
  };
  return { client: client as unknown as KafkaClient, consumers };
}

const flush = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

describe('ConsumerRunner after a crash', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function runner(client: KafkaClient) {
    return new ConsumerRunner(
      client,
      { groupId: 'g', topic: 't', dlqTopic: 't.dlq', schema: z.object({}), handle: () => Promise.resolve() },
      pino({ level: 'silent' }),
      'test',
    );
  }

  it('replaces a consumer that kafkajs will not restart (a non-retriable crash)', async () => {
    const { client, consumers } = fakeKafka();
    await runner(client).start();
    consumers[0]?.crash?.({
      payload: { error: new Error('Failed to find group coordinator'), restart: false },
    });
    await jest.advanceTimersByTimeAsync(1000);
    await flush();
    expect(consumers).toHaveLength(2);
    expect(consumers[0]?.disconnected).toBe(true);
    expect(consumers[1]?.running).toBe(true);
  });

  it('leaves a retriable crash to kafkajs, and never restarts while stopping', async () => {
    const { client, consumers } = fakeKafka();
    const subject = runner(client);
    await subject.start();
    consumers[0]?.crash?.({ payload: { error: new Error('connection lost'), restart: true } });
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumers).toHaveLength(1);
    await subject.stop();
    consumers[0]?.crash?.({ payload: { error: new Error('disconnected mid-rebalance'), restart: false } });
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumers).toHaveLength(1);
  });
});
