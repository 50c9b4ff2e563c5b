import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { topicSpecs, type TopicRole, type TopicSpec } from '@pollcast/contracts';
import type { BaseEnv } from './config/env';
import { createLogger, requestLogFields } from './logging/logger';
import { MetricsController, MetricsRegistry } from './metrics/metrics';
import { KafkaClient } from './kafka/kafka-client';
import { KafkaBatchTransport } from './kafka/kafka-batch-transport';
import { kafkaSecurityOptions } from './kafka/kafka-security';
import { kafkaTuningOptions } from './kafka/kafka-tuning';
import { assertTopicsExist } from './kafka/topic-check';
import { HealthController, KAFKA_IN_READINESS, ReadinessChecks } from './health/health';
import { GlobalExceptionFilter } from './http/errors';
import { StorableInputGuard } from './http/input-guard';
import { dataSourceOptions, openServiceDatabase, type ServiceDatabaseOptions } from './database/database';

export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
const TOPIC_SPECS = Symbol('TOPIC_SPECS');
const READY_WITHOUT_KAFKA = Symbol('READY_WITHOUT_KAFKA');

export interface ServiceKitOptions {
  service: string;
  env: BaseEnv;
  database: Pick<ServiceDatabaseOptions, 'schema' | 'entities' | 'migrations'>;
  /** Topics this service produces to or consumes from; created at start when missing. */
  topics: TopicSpec[];
  /** The service serves without Kafka (instance-service: its outbox holds what it produces): readiness
   * leaves Kafka out and topics are ensured in the background instead of before the start. */
  readyWithoutKafka?: boolean;
}

/** Ensures topics before consumers start (startService starts them after init); closes the producer
 * last (onApplicationShutdown runs after the consumer transport has closed). */
@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(TOPIC_SPECS) private readonly topics: TopicSpec[],
    @Inject(SERVICE_ENV) private readonly env: BaseEnv,
    @Inject(READY_WITHOUT_KAFKA) private readonly readyWithoutKafka: boolean,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}
  private stopped = false;
  async onModuleInit(): Promise<void> {
    if (!this.readyWithoutKafka) return this.prepareTopics();
    void (async () => {
      for (let attempt = 1; !this.stopped; attempt += 1) {
        try {
          return await this.prepareTopics();
        } catch (error) {
          this.logger.warn(
            { err: error, attempt },
            'Kafka topics not ready; the outbox keeps messages meanwhile',
          );
          await new Promise((resolve) => setTimeout(resolve, Math.min(30000, 1000 * attempt)).unref());
        }
      }
    })();
  }
  private async prepareTopics(): Promise<void> {
    if (this.env.KAFKA_CREATE_TOPICS)
      await this.kafka.ensureTopics(this.topics, this.env.KAFKA_REPLICATION_FACTOR);
    else await assertTopicsExist(this.kafka, this.topics);
  }
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.kafka.disconnect();
  }
}

/** Health probes and metrics scrapes: neither logged per request nor traced. */
export const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/** Everything a Pollcast service is made of: config, logs, health, metrics, Kafka, Postgres, errors. */
@Global()
@Module({})
export class ServiceKitModule {
  static forService(options: ServiceKitOptions): DynamicModule {
    const { service, env } = options;
    const logger: Logger = createLogger(service, env.LOG_LEVEL);
    const database: ServiceDatabaseOptions = {
      ...options.database,
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      applicationName: `pollcast-${service}`,
    };
    const kafka = new KafkaClient(
      `pollcast-${service}`,
      env.KAFKA_BROKERS.split(','),
      logger,
      kafkaSecurityOptions(env),
      kafkaTuningOptions(env),
    );
    const metrics = new MetricsRegistry(service);
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            serializers: { req: requestLogFields },
            genReqId: (request: IncomingMessage, response: ServerResponse) => {
              const given = request.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
              response.setHeader('x-request-id', id);
              return id;
            },
            autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(database),
          dataSourceFactory: async () => openServiceDatabase(database),
        }),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: TOPIC_SPECS, useValue: options.topics },
        { provide: READY_WITHOUT_KAFKA, useValue: options.readyWithoutKafka ?? false },
        { provide: KAFKA_IN_READINESS, useValue: !(options.readyWithoutKafka ?? false) },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: KafkaClient, useValue: kafka },
        // The app's @KafkaBatchHandler methods run on it; bootService connects it as a microservice.
        {
          provide: KafkaBatchTransport,
          useFactory: (readiness: ReadinessChecks) =>
            new KafkaBatchTransport({ service, env, kafka, logger, metrics, readiness }),
          inject: [ReadinessChecks],
        },
        { provide: APP_FILTER, useValue: new GlobalExceptionFilter(logger) },
        // Before every route's own guards: text PostgreSQL cannot store is a 400 naming the field.
        { provide: APP_GUARD, useClass: StorableInputGuard },
        ReadinessChecks,
        KafkaLifecycle,
      ],
      exports: [SERVICE_ENV, ROOT_LOGGER, MetricsRegistry, KafkaClient, ReadinessChecks, KafkaBatchTransport],
    };
  }
}

export interface ServiceAppOptions {
  service: string;
  database: ServiceKitOptions['database'];
  /** Roles of the topics this service produces to or consumes from (names and partitions from env). */
  topics: ReadonlyArray<TopicRole>;
  readyWithoutKafka?: boolean;
  /** The service's own modules. */
  imports?: NonNullable<DynamicModule['imports']>;
  /** HTTP controllers and Kafka handlers (`@KafkaBatchHandler` methods) of the app module itself. */
  controllers?: NonNullable<DynamicModule['controllers']>;
  providers?: NonNullable<DynamicModule['providers']>;
}

/**
 * The dynamic module of a service's `AppModule.register(env)`: ServiceKitModule for the service (its
 * topics named with POLLCAST_TOPIC_PREFIX, KAFKA_TOPIC_PARTITIONS each) and then the service's own modules.
 */
export function serviceAppModule(
  module: Type<unknown>,
  env: BaseEnv,
  options: ServiceAppOptions,
): DynamicModule {
  return {
    module,
    imports: [
      ServiceKitModule.forService({
        service: options.service,
        env,
        database: options.database,
        topics: topicSpecs(options.topics, {
          prefix: env.POLLCAST_TOPIC_PREFIX,
          partitions: env.KAFKA_TOPIC_PARTITIONS,
        }),
        readyWithoutKafka: options.readyWithoutKafka ?? false,
      }),
      ...(options.imports ?? []),
    ],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  };
}
