import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DLQ_OF, instanceSnapshotSchema, topicName, type InstanceSnapshot } from '@pollcast/contracts';
import {
  ConsumerRunner,
  failurePolicyFromEnv,
  KafkaClient,
  MetricsRegistry,
  ReadinessChecks,
  ROOT_LOGGER,
  SERVICE_ENV,
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
 */
@Injectable()
export class InstancesConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: ConsumerRunner<InstanceSnapshot>;
  private started = false;
  private stopping = false;
  private starting: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    @Inject(KafkaClient) kafka: KafkaClient,
    @Inject(SERVICE_ENV) env: Env,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(ApplyInstanceSnapshot) private readonly applySnapshot: ApplyInstanceSnapshot,
    @Inject(ReadinessChecks) readiness: ReadinessChecks,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    const log = logger.child({ component: 'instances-consumer' });
    this.log = log;
    this.runner = new ConsumerRunner<InstanceSnapshot>(
      kafka,
      {
        groupId: `${env.POLLCAST_TOPIC_PREFIX}${env.POLLER_INSTANCES_GROUP_ID}`,
        topic: topicName('instances', env.POLLCAST_TOPIC_PREFIX),
        dlqTopic: topicName(DLQ_OF.instances, env.POLLCAST_TOPIC_PREFIX),
        schema: instanceSnapshotSchema,
        acceptTombstones: true,
        fromBeginning: true,
        partitionsConsumedConcurrently: 4,
        failurePolicy: failurePolicyFromEnv(env),
        handle: async (batch, context) => {
          for (const message of batch) {
            if (!context.isRunning()) throw new Error('consumer stopping'); // not committed: replayed
            if (message.value === null) {
              if (message.key === null) {
                await context.deadLetter(message, 'tombstone without a key');
                continue;
              }
              await this.applySnapshot.delete(message.key);
              log.info({ instanceId: message.key }, 'instance deleted; its schedule removed');
              continue;
            }
            const applied = await this.applySnapshot.apply(message.value);
            log.debug(
              { instanceId: message.value.id, version: message.value.version, applied },
              applied ? 'instance snapshot applied' : 'older instance snapshot ignored',
            );
          }
        },
      },
      log,
      'poller-service',
      metrics,
    );
    readiness.add('instances-consumer', async () => {
      if (!this.started) throw new Error('the instances consumer has not started');
    });
  }

  /** Joins in the background: a join can wait out a dead member's session (30 s), and the scheduler
   * must not wait for it — the schedule already in Postgres keeps being polled meanwhile. */
  onApplicationBootstrap(): void {
    this.starting = this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.runner.start();
        this.started = true;
        return;
      } catch (error) {
        this.log.error({ err: error }, 'starting the instances consumer failed; retrying in 5 s');
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.runner.stop(); // also ends a join still in progress; startWithRetry then gives up
    await this.starting;
  }
}
