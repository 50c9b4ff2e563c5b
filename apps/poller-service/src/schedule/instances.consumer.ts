import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { instanceSnapshotSchema, type InstanceSnapshot } from '@pollcast/contracts';
import {
  KafkaBatchHandler,
  ROOT_LOGGER,
  type BatchContext,
  type ConsumedMessage,
} from '@pollcast/service-kit';
import type { Env } from '../env';
import { ApplyInstanceSnapshot } from './apply-instance-snapshot.use-case';

/**
 * Feeds `pollcast.instances.v1` into the schedule table.
 *
 * One consumer group shared by all replicas, not one group per replica: the schedule lives in
 * Postgres, which every replica reads, so each snapshot needs writing once — by whichever replica owns
 * its partition. Keys are instance ids, so one instance's snapshots arrive in order at one writer, and
 * offsets are committed only after the rows are written (a crash replays, the version check makes the
 * replay a no-op). A group per replica would make every replica rewrite every instance.
 *
 * Joins in the background: a join can wait out a dead member's session (30 s), and the scheduler must
 * not wait for it — the schedule already in Postgres keeps being polled meanwhile.
 */
@Controller()
export class InstancesConsumer {
  private readonly log: Logger;

  constructor(
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(ApplyInstanceSnapshot) private readonly applySnapshot: ApplyInstanceSnapshot,
  ) {
    this.log = logger.child({ component: 'instances-consumer' });
  }

  @KafkaBatchHandler('instances', {
    schema: instanceSnapshotSchema,
    acceptTombstones: true,
    fromBeginning: true,
    joinInBackground: true,
    consumer: (env: Env) => ({
      groupId: `${env.POLLCAST_TOPIC_PREFIX}${env.POLLER_INSTANCES_GROUP_ID}`,
      partitionsConsumedConcurrently: 4,
    }),
  })
  async handle(
    @Payload() batch: ReadonlyArray<ConsumedMessage<InstanceSnapshot | null>>,
    @Ctx() context: BatchContext<InstanceSnapshot | null>,
  ): Promise<void> {
    for (const message of batch) {
      if (!context.isRunning()) throw new Error('consumer stopping'); // not committed: replayed
      if (message.value === null) {
        if (message.key === null) {
          await context.deadLetter(message, 'tombstone without a key');
          continue;
        }
        await this.applySnapshot.delete(message.key);
        this.log.info({ instanceId: message.key }, 'instance deleted; its schedule removed');
        continue;
      }
      const applied = await this.applySnapshot.apply(message.value);
      this.log.debug(
        { instanceId: message.value.id, version: message.value.version, applied },
        applied ? 'instance snapshot applied' : 'older instance snapshot ignored',
      );
    }
  }
}
