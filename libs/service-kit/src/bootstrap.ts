import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { httpServerTracing, startTelemetry, TelemetryConfigError } from '@pollcast/telemetry';
import { EnvConfigError, parseEnv, type BaseEnv } from './config/env';
import { hideManagementPathsFromPublicPort, listenManagementPort } from './http/management-server';
import { addCommonResponses, ErrorBodyDto } from './http/openapi';
import { KafkaBatchTransport } from './kafka/kafka-batch-transport';
import { routeProcessWarnings } from './logging/process-warnings';
import { QUIET_PATHS, ROOT_LOGGER } from './service-kit.module';

export interface BootServiceOptions<S extends z.ZodType<BaseEnv & { PORT: number }>> {
  service: string;
  envSchema: S;
  createModule(env: z.infer<S>): DynamicModule;
  openApi?: {
    title: string;
    description: string;
    version: string;
    /** The public API authenticates through instance-service (poller, dispatcher): it may answer 503. */
    upstreamAuthentication?: boolean;
  };
  configure?(app: INestApplication, env: z.infer<S>): void | Promise<void>;
  env?: NodeJS.ProcessEnv;
  /** Node's process warnings as JSON log lines; bootService (a process of its own) sets it. */
  routeProcessWarnings?: boolean;
}

export interface RunningService<E extends BaseEnv = BaseEnv> {
  app: INestApplication;
  env: E;
  url: string;
  /** The management port's URL (metrics, health, internal API) when MANAGEMENT_PORT is set. */
  managementUrl?: string;
  close(): Promise<void>;
}

/** Creates, configures and starts one service; used by each app's main.ts and by tests. */
export async function startService<S extends z.ZodType<BaseEnv & { PORT: number }>>(
  options: BootServiceOptions<S>,
): Promise<RunningService<z.infer<S>>> {
  const env = parseEnv(options.service, options.envSchema, options.env ?? process.env);
  const app = await NestFactory.create(options.createModule(env), { bufferLogs: true, abortOnError: false });
  // Nothing tells a caller which framework (and so which of its advisories) answers.
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.useLogger(app.get(NestPinoLogger));
  const rootLogger = app.get<Logger>(ROOT_LOGGER);
  // Before init, where the Kafka clients connect (and kafkajs emits its warning).
  if (options.routeProcessWarnings) routeProcessWarnings(rootLogger);
  const telemetry = await startTelemetry({
    serviceName: options.service,
    logger: { warn: (message) => rootLogger.warn(message), error: (message) => rootLogger.error(message) },
  }).catch(async (error: unknown) => {
    await app.close(); // a bad OTEL_* value: nothing of the app may stay open
    throw error;
  });
  // First middleware, so routing, body parsing and the handler run inside the request's span.
  if (telemetry.enabled) app.use(httpServerTracing({ ignorePaths: QUIET_PATHS }));
  // Hybrid app: the service's @KafkaBatchHandler methods are its Kafka handlers (none: nothing starts).
  app.connectMicroservice({ strategy: app.get(KafkaBatchTransport) });
  if (env.POLLCAST_CORS_ORIGINS) {
    const origins = env.POLLCAST_CORS_ORIGINS;
    app.enableCors({
      origin: origins === '*' ? true : origins.split(','),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Elements-Next-Page-Token'],
      maxAge: 600,
    });
  }
  if (options.openApi) {
    const config = new DocumentBuilder()
      .setTitle(options.openApi.title)
      .setDescription(options.openApi.description)
      .setVersion(options.openApi.version)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization' }, 'pollcast')
      .build();
    const document = addCommonResponses(
      SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] }),
      {
        apiPrefix: '/elements/api-v2/',
        upstreamAuthentication: options.openApi.upstreamAuthentication ?? false,
      },
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  await options.configure?.(app, env);
  // Before init: a middleware added after the routes would run after them.
  if (env.MANAGEMENT_PORT !== undefined) hideManagementPathsFromPublicPort(app);
  await app.init(); // topics exist after init (ServiceKitModule's onModuleInit)
  await app.startAllMicroservices();
  await app.listen(env.PORT, env.HOST);
  const management =
    env.MANAGEMENT_PORT === undefined
      ? undefined
      : await listenManagementPort(app, env.MANAGEMENT_PORT, env.HOST);
  const server = app.getHttpServer() as { address(): { port: number } | string | null };
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : env.PORT;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
  rootLogger.info(
    { url, managementUrl: management?.url, tracing: telemetry.settings.reason },
    `${options.service} listening`,
  );
  const close = async () => {
    await app.close();
    await management?.close();
    await telemetry.shutdown(); // the spans of the last batches, flushed
  };
  return { app, env, url, ...(management ? { managementUrl: management.url } : {}), close };
}

/** main.ts entry: boots; on SIGTERM / SIGINT closes the app (Kafka handlers stop first and finish
 * their batch, connections close) and exits 0, or exits 1 if that takes longer than SHUTDOWN_TIMEOUT_MS. */
export function bootService<S extends z.ZodType<BaseEnv & { PORT: number }>>(
  options: BootServiceOptions<S>,
): void {
  startService({ ...options, routeProcessWarnings: true }).then(
    (running) => {
      const { app, env } = running;
      const logger = app.get<Logger>(ROOT_LOGGER);
      let closing = false;
      const shutdown = (signal: NodeJS.Signals) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, `${options.service} shutting down`);
        setTimeout(() => {
          logger.error({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting');
          process.exit(1);
        }, env.SHUTDOWN_TIMEOUT_MS).unref();
        running.close().then(
          () => {
            logger.info(`${options.service} stopped`);
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    },
    (error: unknown) => {
      if (error instanceof EnvConfigError || error instanceof TelemetryConfigError) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(
          `${JSON.stringify({ level: 'fatal', service: options.service, msg: 'failed to start', err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) })}\n`,
        );
      }
      process.exit(1);
    },
  );
}
