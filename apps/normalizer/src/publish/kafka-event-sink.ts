import { Inject, Injectable } from '@nestjs/common';
import { KafkaClient, type OutgoingMessage } from '@pollcast/service-kit';
import { NORMALIZER_SETTINGS, type NormalizerSettings } from '../settings';
import { EventSink } from './event-sink';

/** Bytes of messages per produce request. kafkajs puts everything one send() has for a partition into
 * one record batch, and the broker refuses a batch above its message.max.bytes (1 MiB by default;
 * the budget leaves room for batch overhead):
 * a fetched 1 MiB batch of raw changes becomes more than 1 MiB of events. */
export const PUBLISH_CHUNK_BYTES = 900 * 1024;
const RECORD_OVERHEAD_BYTES = 64;

function approximateSize(message: OutgoingMessage): number {
  let size = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key);
  size += message.rawValue
    ? message.rawValue.byteLength
    : Buffer.byteLength(JSON.stringify(message.value) ?? '');
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + Buffer.byteLength(value);
  return size;
}

/** Splits messages, in order, into runs of at most `budget` bytes (a larger message goes alone). */
export function chunkBySize(
  messages: ReadonlyArray<OutgoingMessage>,
  budget = PUBLISH_CHUNK_BYTES,
): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const size = approximateSize(message);
    if (current.length > 0 && currentBytes + size > budget) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Publishes events to `pollcast.events.v1` through the service's idempotent acks=all producer. */
@Injectable()
export class KafkaEventSink extends EventSink {
  constructor(
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(NORMALIZER_SETTINGS) private readonly settings: NormalizerSettings,
  ) {
    super();
  }

  // Chunks go one after the other so one object's events keep their order in its partition.
  async publish(messages: ReadonlyArray<OutgoingMessage>): Promise<void> {
    for (const chunk of chunkBySize(messages)) await this.kafka.publish(this.settings.eventsTopic, chunk);
  }
}
