/**
 * CLI entry point (built to dist/main.js): starts the simulator from environment variables, logs one
 * JSON line when started and one when stopped, and stops on SIGTERM / SIGINT.
 */
import { z } from 'zod';
import { jsonLineLogger, parseToolEnv, runTool, stopOnSignals } from '@pollcast/tool-process';
import { DEFAULT_CREDENTIALS } from './credentials';
import { createProviderSimulator } from './server';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8093),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIM_CLIENT_ID: z.string().min(1).default('pollcast-dev'),
  SIM_CLIENT_SECRET: z.string().min(1).default('pollcast-dev-secret'),
  SIM_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(7200),
  SIM_HUBSPOT_TOKEN: z.string().min(1).default(DEFAULT_CREDENTIALS.hubspotToken),
  SIM_GITHUB_TOKEN: z.string().min(1).default(DEFAULT_CREDENTIALS.githubToken),
  SIM_ZENDESK_EMAIL: z.string().min(3).default(DEFAULT_CREDENTIALS.zendeskEmail),
  SIM_ZENDESK_API_TOKEN: z.string().min(1).default(DEFAULT_CREDENTIALS.zendeskApiToken),
});

const SERVICE = 'provider-sim';
const logLine = jsonLineLogger(SERVICE);

async function main(): Promise<void> {
  const env = parseToolEnv(SERVICE, envSchema, process.env);
  const simulator = await createProviderSimulator({
    port: env.PORT,
    host: env.HOST,
    ...(env.SIM_PUBLIC_URL ? { publicUrl: env.SIM_PUBLIC_URL } : {}),
    clientId: env.SIM_CLIENT_ID,
    clientSecret: env.SIM_CLIENT_SECRET,
    accessTokenTtlSeconds: env.SIM_ACCESS_TOKEN_TTL_SECONDS,
    credentials: {
      hubspotToken: env.SIM_HUBSPOT_TOKEN,
      githubToken: env.SIM_GITHUB_TOKEN,
      zendeskEmail: env.SIM_ZENDESK_EMAIL,
      zendeskApiToken: env.SIM_ZENDESK_API_TOKEN,
    },
  });
  logLine({
    level: 'info',
    msg: 'provider-sim started',
    url: simulator.url,
    providers: ['salesforce', 'hubspot', 'github', 'zendesk'],
    clientId: env.SIM_CLIENT_ID,
    accessTokenTtlSeconds: env.SIM_ACCESS_TOKEN_TTL_SECONDS,
  });
  stopOnSignals(SERVICE, () => simulator.close(), logLine);
}

runTool(SERVICE, main);
