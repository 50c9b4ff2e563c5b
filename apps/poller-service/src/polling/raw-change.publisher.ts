import { Inject, Injectable } from '@nestjs/common';
import { topicName } from '@pollcast/contracts';
import { KafkaClient, SERVICE_ENV, type OutgoingMessage } from '@pollcast/service-kit';
import type { Env } from '../env';

interface PendingPage {
  messages: OutgoingMessage[];
  resolve(): void;
  reject(error: unknown): void;
}

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
  private readonly topic: string;
  private readonly queue: PendingPage[] = [];
  private sending = 0;

  constructor(
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(SERVICE_ENV) env: Env,
  ) {
    this.topic = topicName('rawChanges', env.POLLCAST_TOPIC_PREFIX);
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.sending < MAX_CONCURRENT_SENDS && this.queue.length > 0) {
      const batch: PendingPage[] = [];
      let size = 0;
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || size + (this.queue[0]?.messages.length ?? 0) <= MAX_MESSAGES_PER_SEND)
      ) {
        const page = this.queue.shift() as PendingPage;
        batch.push(page);
        size += page.messages.length;
      }
      this.sending += 1;
      this.kafka
        .publish(
          this.topic,
          batch.flatMap((page) => page.messages),
        )
        .then(
          () => batch.forEach((page) => page.resolve()),
          (error: unknown) => batch.forEach((page) => page.reject(error)),
        )
        .finally(() => {
          this.sending -= 1;
          this.pump();
        });
    }
  }
}
