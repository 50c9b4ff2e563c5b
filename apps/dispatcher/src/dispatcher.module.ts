import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  instanceSnapshotSchema,
  standardEventSchema,
  topicName,
  type InstanceSnapshot,
  type StandardEvent,
} from '@pollcast/contracts';
import {
  ConsumerRunner,
  failurePolicyFromEnv,
  KafkaClient,
  MetricsRegistry,
  ReadinessChecks,
  ROOT_LOGGER,
} from '@pollcast/service-kit';
import { TenantAuthModule } from '@pollcast/tenant-auth';
import { EventsController } from './api/events.controller';
import { EventsService } from './api/events.service';
import { CallbackSender } from './delivery/callback-sender';
import { DeliveryWorker } from './delivery/delivery-worker';
import { DispatcherMetrics } from './delivery/dispatcher-metrics';
import { EndpointGate } from './delivery/endpoint-gate';
import { NotificationStore } from './delivery/notification.store';
import type { RetryPolicy } from './delivery/retry-policy';
import type { Env } from './env';
import { PruneHistoryJob } from './history/prune-history.job';
import { MAX_EVENTS_PER_NOTIFICATION } from './notifications/notification-body';
import { recordEvents } from './notifications/notification-writer';
import { DeliveryInfoCache } from './settings/delivery-info.cache';
import { InstanceSettingsStore } from './settings/instance-settings.store';
import { USER_AGENT } from './version';

const ENV = Symbol('DISPATCHER_ENV');

/** Starts the worker and both consumers after boot; stops consumers first, then drains the worker. */
@Injectable()
class DispatcherRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: { stop(): Promise<void> }[] = [];
  private started = false;

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
    @Inject(InstanceSettingsStore) private readonly settings: InstanceSettingsStore,
    @Inject(DeliveryInfoCache) private readonly instanceService: DeliveryInfoCache,
    @Inject(DispatcherMetrics) private readonly metrics: DispatcherMetrics,
    @Inject(CallbackSender) private readonly sender: CallbackSender,
    @Inject(MetricsRegistry) private readonly registry: MetricsRegistry,
    @Inject(ReadinessChecks) readiness: ReadinessChecks,
  ) {
    readiness.add('consumers', async () => {
      if (!this.started) throw new Error('consumers not started yet');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.env.POLLCAST_TOPIC_PREFIX;
    const instances = new ConsumerRunner<InstanceSnapshot>(
      this.kafka,
      {
        groupId: `${prefix}pollcast-dispatcher-instances`,
        topic: topicName('instances', prefix),
        dlqTopic: topicName('instancesDlq', prefix),
        schema: instanceSnapshotSchema,
        acceptTombstones: true,
        failurePolicy: failurePolicyFromEnv(this.env),
        handle: async (batch) => {
          for (const message of batch) {
            const instanceId = message.value?.id ?? message.key;
            if (message.value === null) {
              if (message.key) await this.settings.remove(message.key);
            } else {
              await this.settings.apply(message.value);
            }
            // The signature key or URL may have changed: the next delivery asks again.
            if (instanceId) this.instanceService.forget(instanceId);
          }
        },
      },
      this.logger.child({ consumer: 'instances' }),
      'dispatcher',
      this.registry,
    );
    const events = new ConsumerRunner<StandardEvent>(
      this.kafka,
      {
        groupId: `${prefix}pollcast-dispatcher-events`,
        topic: topicName('events', prefix),
        dlqTopic: topicName('eventsDlq', prefix),
        schema: standardEventSchema,
        partitionsConsumedConcurrently: this.env.DISPATCHER_EVENTS_PARTITIONS_CONCURRENTLY,
        failurePolicy: failurePolicyFromEnv(this.env),
        // Only records; the commit follows the insert, and sending happens in the worker pool.
        handle: async (batch) => {
          const incoming = batch.flatMap((message) =>
            message.value === null
              ? []
              : [{ event: message.value, correlationId: message.correlationId, headers: message.headers }],
          );
          const result = await recordEvents(this.dataSource, incoming, MAX_EVENTS_PER_NOTIFICATION);
          this.metrics.eventsRecorded.inc({ kind: 'new' }, result.newEvents);
          this.metrics.eventsRecorded.inc({ kind: 'duplicate' }, incoming.length - result.newEvents);
          if (result.notifications > 0) this.worker.wake();
        },
      },
      this.logger.child({ consumer: 'events' }),
      'dispatcher',
      this.registry,
    );
    this.runners.push(instances, events);
    this.worker.start();
    await Promise.all([instances.start(), events.start()]);
    this.started = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.runners.map((runner) => runner.stop()));
    await this.worker.stop();
    await this.sender.close();
  }
}

/** Events → signed callbacks: consumers, worker pool, settings, events API. */
@Module({})
export class DispatcherModule {
  static register(env: Env): DynamicModule {
    const retryPolicy: RetryPolicy = {
      maxRetries: env.DISPATCHER_MAX_RETRIES,
      initialDelayMs: env.DISPATCHER_RETRY_INITIAL_MS,
      multiplier: env.DISPATCHER_RETRY_MULTIPLIER,
      maxDelayMs: env.DISPATCHER_RETRY_MAX_DELAY_MS,
      maxRetryAfterMs: env.DISPATCHER_RETRY_AFTER_MAX_MS,
    };
    return {
      module: DispatcherModule,
      imports: [
        TenantAuthModule.forRoot({
          instanceServiceUrl: env.INSTANCE_SERVICE_URL,
          serviceToken: env.POLLCAST_SERVICE_TOKEN,
        }),
      ],
      controllers: [EventsController],
      providers: [
        { provide: ENV, useValue: env },
        {
          provide: NotificationStore,
          useFactory: (dataSource: DataSource) => new NotificationStore(dataSource),
          inject: [DataSource],
        },
        {
          provide: InstanceSettingsStore,
          useFactory: (dataSource: DataSource) => new InstanceSettingsStore(dataSource),
          inject: [DataSource],
        },
        {
          provide: DeliveryInfoCache,
          useValue: new DeliveryInfoCache({
            baseUrl: env.INSTANCE_SERVICE_URL,
            serviceToken: env.POLLCAST_SERVICE_TOKEN,
            cacheTtlMs: env.DISPATCHER_DELIVERY_CACHE_MS,
          }),
        },
        {
          provide: CallbackSender,
          useValue: new CallbackSender({
            connectTimeoutMs: env.DISPATCHER_CONNECT_TIMEOUT_MS,
            totalTimeoutMs: env.DISPATCHER_TIMEOUT_MS,
            connectionsPerOrigin: env.DISPATCHER_ENDPOINT_CONCURRENCY,
            allowPrivateCallbacks: env.POLLCAST_ALLOW_PRIVATE_CALLBACKS,
            responseBodyLimit: env.DISPATCHER_RESPONSE_BODY_LIMIT,
          }),
        },
        {
          provide: EndpointGate,
          useValue: new EndpointGate({
            maxInFlight: env.DISPATCHER_ENDPOINT_CONCURRENCY,
            failureThreshold: env.DISPATCHER_BREAKER_FAILURES,
            openMs: env.DISPATCHER_BREAKER_OPEN_MS,
          }),
        },
        {
          provide: DispatcherMetrics,
          useFactory: (registry: MetricsRegistry, store: NotificationStore) =>
            new DispatcherMetrics(registry, store),
          inject: [MetricsRegistry, NotificationStore],
        },
        {
          provide: DeliveryWorker,
          useFactory: (
            store: NotificationStore,
            settings: InstanceSettingsStore,
            instanceService: DeliveryInfoCache,
            sender: CallbackSender,
            gate: EndpointGate,
            metrics: DispatcherMetrics,
            logger: Logger,
          ) =>
            new DeliveryWorker(
              {
                concurrency: env.DISPATCHER_CONCURRENCY,
                claimBatch: env.DISPATCHER_CLAIM_BATCH,
                pollIntervalMs: env.DISPATCHER_POLL_INTERVAL_MS,
                leaseMs: env.DISPATCHER_TIMEOUT_MS + 30_000,
                retryPolicy,
                userAgent: USER_AGENT,
              },
              {
                store,
                settings,
                instanceService,
                sender,
                gate,
                metrics,
                logger: logger.child({ component: 'delivery' }),
              },
            ),
          inject: [
            NotificationStore,
            InstanceSettingsStore,
            DeliveryInfoCache,
            CallbackSender,
            EndpointGate,
            DispatcherMetrics,
            ROOT_LOGGER,
          ],
        },
        {
          provide: EventsService,
          useFactory: (
            dataSource: DataSource,
            settings: InstanceSettingsStore,
            instanceService: DeliveryInfoCache,
            worker: DeliveryWorker,
          ) => new EventsService(dataSource, settings, instanceService, () => worker.wake()),
          inject: [DataSource, InstanceSettingsStore, DeliveryInfoCache, DeliveryWorker],
        },
        {
          provide: PruneHistoryJob,
          useFactory: (store: NotificationStore, logger: Logger) =>
            new PruneHistoryJob(
              {
                retentionDays: env.DISPATCHER_HISTORY_RETENTION_DAYS,
                intervalSeconds: env.DISPATCHER_PRUNE_INTERVAL_SECONDS,
              },
              store,
              logger.child({ component: 'prune-history' }),
            ),
          inject: [NotificationStore, ROOT_LOGGER],
        },
        DispatcherRuntime,
      ],
      exports: [DeliveryWorker, NotificationStore, PruneHistoryJob],
    };
  }
}
