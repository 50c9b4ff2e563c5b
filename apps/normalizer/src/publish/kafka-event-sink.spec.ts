import type { OutgoingMessage } from '@pollcast/service-kit';
import { chunkBySize } from './kafka-event-sink';

const message = (bytes: number, key = 'k'): OutgoingMessage => ({
  key,
  value: null,
  rawValue: Buffer.alloc(bytes),
  headers: { ce_id: 'x' },
});

describe('chunkBySize', () => {
  it('keeps order and stays within the budget, a large message going alone', () => {
    const messages = [
      message(100, 'a'),
      message(100, 'b'),
      message(100, 'c'),
      message(5000, 'd'),
      message(10, 'e'),
    ];
    const chunks = chunkBySize(messages, 400);
    expect(chunks.map((chunk) => chunk.map((m) => m.key).join(''))).toEqual(['ab', 'c', 'd', 'e']);
    expect(chunks.flat()).toEqual(messages);
    expect(chunkBySize([], 400)).toEqual([]);
  });
});
