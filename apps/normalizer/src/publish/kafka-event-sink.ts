import { Inject, Injectable } from '@nestjs/common';
import { KafkaClient, type OutgoingMessage } from '@pollcast/service-kit';
import { NORMALIZER_SETTINGS, type NormalizerSettings } from '../settings';
import { EventSink } from './event-sink';

/** Publishes events to `pollcast.events.v1` through the service's idempotent acks=all producer. */
@Injectable()
export class KafkaEventSink extends EventSink {
  constructor(
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(NORMALIZER_SETTINGS) private readonly settings: NormalizerSettings,
  ) {
    super();
  }

  async publish(messages: ReadonlyArray<OutgoingMessage>): Promise<void> {
    await this.kafka.publish(this.settings.eventsTopic, messages);
  }
}
