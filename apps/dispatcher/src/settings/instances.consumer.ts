import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { instanceSnapshotSchema, type InstanceSnapshot } from '@pollcast/contracts';
import { KafkaBatchHandler, type ConsumedMessage } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ApplyInstanceSnapshots } from './apply-instance-snapshots.use-case';

/** Consumes `pollcast.instances.v1` (tombstones delete) into the instance settings. */
@Controller()
export class InstancesConsumer {
  constructor(@Inject(ApplyInstanceSnapshots) private readonly applySnapshots: ApplyInstanceSnapshots) {}

  @KafkaBatchHandler('instances', {
    schema: instanceSnapshotSchema,
    acceptTombstones: true,
    consumer: (env: Env) => ({ groupId: `${env.POLLCAST_TOPIC_PREFIX}pollcast-dispatcher-instances` }),
  })
  async handle(@Payload() batch: ReadonlyArray<ConsumedMessage<InstanceSnapshot | null>>): Promise<void> {
    await this.applySnapshots.execute(
      batch.map((message) => ({ key: message.key, snapshot: message.value })),
    );
  }
}
