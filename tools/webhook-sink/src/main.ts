/**
 * CLI entry point (built to dist/main.js): starts the sink from environment variables, logs one JSON
 * line per received request, and stops on SIGTERM / SIGINT.
 */
import { z } from 'zod';
import { jsonLineLogger, parseToolEnv, runTool, stopOnSignals } from '@pollcast/tool-process';
import { createWebhookSink } from './server';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8092),
  HOST: z.string().min(1).default('127.0.0.1'),
  SINK_SIGNATURE_KEY: z.string().min(1).optional(),
  SINK_CAPACITY: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const SERVICE = 'webhook-sink';
const logLine = jsonLineLogger(SERVICE);

async function main(): Promise<void> {
  // An empty variable counts as unset.
  const given = Object.fromEntries(
    Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = parseToolEnv(SERVICE, envSchema, given);
  const quiet =
    env.LOG_LEVEL === 'silent' ||
    env.LOG_LEVEL === 'warn' ||
    env.LOG_LEVEL === 'error' ||
    env.LOG_LEVEL === 'fatal';
  const sink = await createWebhookSink({
    port: env.PORT,
    host: env.HOST,
    capacity: env.SINK_CAPACITY,
    ...(env.SINK_SIGNATURE_KEY !== undefined ? { signatureKey: env.SINK_SIGNATURE_KEY } : {}),
    onRequest: quiet
      ? undefined
      : (request) =>
          logLine({
            level: 'info',
            msg: 'callback received',
            seq: request.seq,
            method: request.method,
            path: request.path,
            webhookId: request.headers['webhook-id'],
            bytes: Buffer.byteLength(request.body),
            status: request.response.dropped ? 'dropped' : request.response.status,
            signatures: request.signatures,
          }),
  });
  logLine({
    level: 'info',
    msg: 'webhook-sink started',
    url: sink.url,
    verifying: env.SINK_SIGNATURE_KEY !== undefined,
  });

  stopOnSignals(SERVICE, () => sink.close(), logLine);
}

runTool(SERVICE, main);
