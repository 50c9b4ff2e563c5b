import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.service';

@Module({ providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
