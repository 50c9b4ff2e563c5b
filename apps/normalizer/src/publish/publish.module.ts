import { Module } from '@nestjs/common';
import { EventSink } from './event-sink';
import { KafkaEventSink } from './kafka-event-sink';

@Module({
  providers: [{ provide: EventSink, useClass: KafkaEventSink }],
  exports: [EventSink],
})
export class PublishModule {}
