import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay.publisher';

@Module({ providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
