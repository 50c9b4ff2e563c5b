import pino from 'pino';
import type { Producer, ProducerRecord } from 'kafkajs';
import { KafkaClient } from './kafka-client';

/** A kafkajs producer double: records sends, how many overlap, and fails the sends it is told to. */
function fakeProducer(failSends: number[] = []) {
  const sends: ProducerRecord[] = [];
  const state = { inFlight: 0, maxInFlight: 0, disconnected: false };
  const producer = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => {
      state.disconnected = true;
    }),
    send: jest.fn(async (record: ProducerRecord) => {
      sends.push(record);
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.inFlight -= 1;
      if (failSends.includes(sends.length)) throw new Error('Connection closed');
      return [];
    }),
  };
  return { producer: producer as unknown as Producer, sends, state };
}

describe('KafkaClient.publish', () => {
  const client = () => new KafkaClient('test', ['127.0.0.1:1'], pino({ level: 'silent' }));

  it('sends one batch at a time however many publish at once, each acks=all', async () => {
    const kafka = client();
    const fake = fakeProducer();
    const factory = jest.spyOn(kafka.kafka, 'producer').mockReturnValue(fake.producer);
    await Promise.all(
      Array.from({ length: 8 }, (_, n) => kafka.publish('topic', [{ key: `k${n}`, value: { n } }])),
    );
    expect(fake.sends).toHaveLength(8);
    expect(fake.state.maxInFlight).toBe(1);
    expect(fake.sends.every((send) => send.acks === -1)).toBe(true);
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('starts a new idempotent producer after a failed send, so no later batch reuses its sequence numbers', async () => {
    const kafka = client();
    const first = fakeProducer([2]);
    const second = fakeProducer();
    const factory = jest
      .spyOn(kafka.kafka, 'producer')
      .mockReturnValueOnce(first.producer)
      .mockReturnValueOnce(second.producer);
    const results = await Promise.allSettled([
      kafka.publish('topic', [{ key: 'a', value: 1 }]),
      kafka.publish('topic', [{ key: 'b', value: 2 }]),
      kafka.publish('topic', [{ key: 'c', value: 3 }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(first.sends.map((send) => send.messages[0]?.key)).toEqual(['a', 'b']);
    expect(second.sends.map((send) => send.messages[0]?.key)).toEqual(['c']);
    expect(first.state.disconnected).toBe(true);
    expect(factory).toHaveBeenCalledTimes(2);
    expect(factory).toHaveBeenLastCalledWith(expect.objectContaining({ idempotent: true }));
  });

  it('tries to connect again after a producer that never connected', async () => {
    const kafka = client();
    const broken = fakeProducer();
    (broken.producer.connect as jest.Mock).mockRejectedValueOnce(new Error('broker down'));
    const healthy = fakeProducer();
    jest
      .spyOn(kafka.kafka, 'producer')
      .mockReturnValueOnce(broken.producer)
      .mockReturnValueOnce(healthy.producer);
    await expect(kafka.publish('topic', [{ key: 'a', value: 1 }])).rejects.toThrow('broker down');
    await kafka.publish('topic', [{ key: 'b', value: 2 }]);
    expect(healthy.sends).toHaveLength(1);
  });
});
