/**
 * CLI entry point (built to dist/main.js): starts the sink from environment variables, logs one JSON
 * line per received request, and stops on SIGTERM / SIGINT.
 */
import { z } from 'zod';
import { createWebhookSink } from './server';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8092),
  HOST: z.string().min(1).default('127.0.0.1'),
  SINK_SIGNATURE_KEY: z.string().min(1).optional(),
  SINK_CAPACITY: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function logLine(fields: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'webhook-sink', ...fields })}\n`,
  );
}

async function main(): Promise<void> {
  const given = Object.fromEntries(
    Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.')}: ${issue.message}`,
    );
    process.stderr.write(`webhook-sink: invalid environment: ${problems.join('; ')}\n`);
    process.exit(1);
  }
  const env = parsed.data;
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

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    sink.close().then(
      () => {
        logLine({ level: 'info', msg: 'webhook-sink stopped', signal });
        process.exit(0);
      },
      (error: unknown) => {
        logLine({ level: 'error', msg: 'webhook-sink stop failed', signal, error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `webhook-sink: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
