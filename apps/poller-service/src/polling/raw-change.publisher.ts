import { Inject, Injectable } from '@nestjs/common';
import { topicName } from '@pollcast/contracts';
import { CoalescingQueue, KafkaClient, SERVICE_ENV, type OutgoingMessage } from '@pollcast/service-kit';
import { publishWithTrace } from '@pollcast/telemetry';
import type { Env } from '../env';

/** At most this many sends in flight; under load each send carries every page queued meanwhile. */
const MAX_CONCURRENT_SENDS = 4;
const MAX_MESSAGES_PER_SEND = 5000;

/**
 * Publishes poll pages to the raw topic, coalescing the pages of concurrent polls into shared sends:
 * hundreds of polls a second would otherwise each wait for their own acks=all round trip. A page's
 * promise resolves only when the send that carried it is acknowledged, so a poll still commits its
 * watermark only after all of its records are in Kafka; a failed send fails every poll it carried.
 */
@Injectable()
export class RawChangePublisher {
  private readonly queue: CoalescingQueue<ReadonlyArray<OutgoingMessage>>;
  private readonly topic: string;

  constructor(@Inject(KafkaClient) kafka: KafkaClient, @Inject(SERVICE_ENV) env: Env) {
    const topic = topicName('rawChanges', env.POLLCAST_TOPIC_PREFIX);
    this.topic = topic;
    this.queue = new CoalescingQueue({
      maxConcurrent: MAX_CONCURRENT_SENDS,
      maxBatchSize: MAX_MESSAGES_PER_SEND,
      sizeOf: (page) => page.length,
      run: (pages) => kafka.publish(topic, pages.flat()),
    });
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    // The page's records carry the poll's trace (through this publish span) to the normalizer.
    return publishWithTrace(this.topic, messages, (traced) => this.queue.submit(traced));
  }
}
