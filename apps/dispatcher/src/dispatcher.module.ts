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
import { MetricsRegistry, ROOT_LOGGER } from '@pollcast/service-kit';
import { TenantAuthModule } from '@pollcast/tenant-auth';
import { EventsController } from './api/events.controller';
import { EventsApi } from './api/events-api.use-case';
import { EventsApiStore } from './api/events-api.store';
import { CallbackClient } from './delivery/callback.client';
import { DeliveryWorker } from './delivery/delivery-worker.use-case';
import { DispatcherMetrics } from './delivery/dispatcher-metrics';
import { EndpointGate } from './delivery/endpoint-gate';
import { NotificationStore } from './delivery/notification.store';
import type { RetryPolicy } from './delivery/retry-policy';
import type { Env } from './env';
import { PruneHistoryJob } from './history/prune-history.job';
import { EventStore } from './notifications/event.store';
import { EventsConsumer } from './notifications/events.consumer';
import { MAX_EVENTS_PER_NOTIFICATION } from './notifications/notification-body';
import { RecordEvents } from './notifications/record-events.use-case';
import { ApplyInstanceSnapshots } from './settings/apply-instance-snapshots.use-case';
import { DeliveryInfoCache } from './settings/delivery-info.cache';
import { InstanceSettingsStore } from './settings/instance-settings.store';
import { InstancesConsumer } from './settings/instances.consumer';
import { DeliveryStatsController } from './stats/delivery-stats.controller';
import { DeliveryStatsStore } from './stats/delivery-stats.store';
import { DeliveryStatsUseCase } from './stats/delivery-stats.use-case';
import { USER_AGENT } from './version';

/** Starts the worker pool after boot. At shutdown the Kafka handlers have stopped already (their
 * batches finished and committed in onModuleDestroy); the worker drains, then the connections close. */
@Injectable()
class DeliveryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
    @Inject(CallbackClient) private readonly callbacks: CallbackClient,
  ) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop();
    await this.callbacks.close();
  }
}

/** Events → signed callbacks: Kafka handlers, worker pool, settings, events API. */
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
      controllers: [EventsController, DeliveryStatsController, EventsConsumer, InstancesConsumer],
      providers: [
        {
          provide: NotificationStore,
          useFactory: (dataSource: DataSource) => new NotificationStore(dataSource),
          inject: [DataSource],
        },
        {
          provide: EventStore,
          useFactory: (dataSource: DataSource) => new EventStore(dataSource),
          inject: [DataSource],
        },
        {
          provide: EventsApiStore,
          useFactory: (dataSource: DataSource) => new EventsApiStore(dataSource),
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
          provide: CallbackClient,
          useValue: new CallbackClient({
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
          useFactory: (registry: MetricsRegistry, store: NotificationStore, gate: EndpointGate) =>
            new DispatcherMetrics(registry, store, gate),
          inject: [MetricsRegistry, NotificationStore, EndpointGate],
        },
        {
          provide: DeliveryWorker,
          useFactory: (
            store: NotificationStore,
            settings: InstanceSettingsStore,
            instanceService: DeliveryInfoCache,
            sender: CallbackClient,
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
            CallbackClient,
            EndpointGate,
            DispatcherMetrics,
            ROOT_LOGGER,
          ],
        },
        {
          provide: EventsApi,
          useFactory: (
            store: EventsApiStore,
            settings: InstanceSettingsStore,
            instanceService: DeliveryInfoCache,
            worker: DeliveryWorker,
          ) => new EventsApi(store, settings, instanceService, () => worker.wake()),
          inject: [EventsApiStore, InstanceSettingsStore, DeliveryInfoCache, DeliveryWorker],
        },
        {
          provide: RecordEvents,
          useFactory: (store: EventStore, metrics: DispatcherMetrics, worker: DeliveryWorker) =>
            new RecordEvents(store, metrics, MAX_EVENTS_PER_NOTIFICATION, () => worker.wake()),
          inject: [EventStore, DispatcherMetrics, DeliveryWorker],
        },
        {
          provide: ApplyInstanceSnapshots,
          useFactory: (settings: InstanceSettingsStore, deliveryInfo: DeliveryInfoCache) =>
            new ApplyInstanceSnapshots(settings, deliveryInfo),
          inject: [InstanceSettingsStore, DeliveryInfoCache],
        },
        {
          provide: DeliveryStatsUseCase,
          useFactory: (dataSource: DataSource, events: EventsApi) =>
            new DeliveryStatsUseCase(new DeliveryStatsStore(dataSource), events),
          inject: [DataSource, EventsApi],
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
        DeliveryLifecycle,
      ],
      exports: [DeliveryWorker, NotificationStore, PruneHistoryJob],
    };
  }
}
