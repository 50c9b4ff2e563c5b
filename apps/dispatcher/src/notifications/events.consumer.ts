import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { standardEventSchema, type StandardEvent } from '@pollcast/contracts';
import { KafkaBatchHandler, type ConsumedMessage } from '@pollcast/service-kit';
import type { Env } from '../env';
import { RecordEvents } from './record-events.use-case';

/** Consumes `pollcast.events.v1`: records each batch; the offset is committed after the insert. */
@Controller()
export class EventsConsumer {
  constructor(@Inject(RecordEvents) private readonly recordEvents: RecordEvents) {}

  @KafkaBatchHandler('events', {
    schema: standardEventSchema,
    consumer: (env: Env) => ({
      groupId: `${env.POLLCAST_TOPIC_PREFIX}pollcast-dispatcher-events`,
      partitionsConsumedConcurrently: env.DISPATCHER_EVENTS_PARTITIONS_CONCURRENTLY,
    }),
  })
  async handle(@Payload() batch: ReadonlyArray<ConsumedMessage<StandardEvent | null>>): Promise<void> {
    await this.recordEvents.execute(
      batch.flatMap((message) =>
        message.value === null
          ? []
          : [{ event: message.value, correlationId: message.correlationId, headers: message.headers }],
      ),
    );
  }
}
