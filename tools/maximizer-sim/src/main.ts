/**
 * CLI entry point (built to dist/main.js): starts the simulator from environment variables, logs one
 * JSON line when started and one when stopped, and stops on SIGTERM / SIGINT.
 */
import { z } from 'zod';
import { jsonLineLogger, parseToolEnv, runTool, stopOnSignals } from '@pollcast/tool-process';
import { isValidTimeZone } from './dates';
import { createMaximizerSimulator } from './server';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIM_ZONE: z.string().refine(isValidTimeZone, 'not an IANA time zone').default('America/Toronto'),
  SIM_CLIENT_ID: z.string().min(1).default('pollcast-dev'),
  SIM_CLIENT_SECRET: z.string().min(1).default('pollcast-dev-secret'),
  SIM_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
  SIM_SEED_RECORDS: z.coerce.number().int().min(0).max(5_000_000).default(0),
});

const SERVICE = 'maximizer-sim';
const logLine = jsonLineLogger(SERVICE);

async function main(): Promise<void> {
  const env = parseToolEnv(SERVICE, envSchema, process.env);
  const simulator = await createMaximizerSimulator({
    port: env.PORT,
    host: env.HOST,
    zone: env.SIM_ZONE,
    clientId: env.SIM_CLIENT_ID,
    clientSecret: env.SIM_CLIENT_SECRET,
    accessTokenTtlSeconds: env.SIM_ACCESS_TOKEN_TTL_SECONDS,
  });
  const seeded = env.SIM_SEED_RECORDS > 0 ? simulator.store.seed({ count: env.SIM_SEED_RECORDS }) : null;
  logLine({
    level: 'info',
    msg: 'maximizer-sim started',
    url: simulator.url,
    zone: simulator.zone,
    clientId: env.SIM_CLIENT_ID,
    accessTokenTtlSeconds: env.SIM_ACCESS_TOKEN_TTL_SECONDS,
    seededRecords: seeded?.total ?? 0,
    ...(seeded ? { seedMs: seeded.ms } : {}),
  });

  stopOnSignals(SERVICE, () => simulator.close(), logLine);
}

runTool(SERVICE, main);
