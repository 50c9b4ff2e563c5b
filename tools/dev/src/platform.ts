import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessSpec } from './processes';
import type { LocalSecrets } from './secrets';

export const PORTS = {
  instanceService: 3000,
  pollerService: 3001,
  normalizer: 3002,
  dispatcher: 3003,
  maximizerSim: 8091,
  webhookSink: 8092,
  providerSim: 8093,
} as const;

export interface PlatformSettings {
  kafkaBrokers: string;
  databaseUrl: string;
  secrets: LocalSecrets;
  topicPrefix?: string;
  logLevel?: string;
  ports?: Partial<Record<keyof typeof PORTS, number>>;
  /** Extra variables for every service (tests tune intervals with these). */
  extraEnv?: Record<string, string>;
  /** Extra variables for the simulator and the sink (SINK_CAPACITY). */
  toolEnv?: Record<string, string>;
  /** Where the services reach the provider, when not the simulator's own port (a fault proxy). */
  providerBaseUrl?: string;
}

/** The four services plus the simulators and the sink, as processes started from their built output. */
export function platformProcesses(root: string, settings: PlatformSettings): ProcessSpec[] {
  const port = (name: keyof typeof PORTS) => settings.ports?.[name] ?? PORTS[name];
  const instanceServiceUrl = `http://127.0.0.1:${port('instanceService')}`;
  const providerBaseUrl = settings.providerBaseUrl ?? `http://127.0.0.1:${port('maximizerSim')}`;
  const common: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: settings.logLevel ?? 'info',
    DATABASE_URL: settings.databaseUrl,
    KAFKA_BROKERS: settings.kafkaBrokers,
    POLLCAST_TOPIC_PREFIX: settings.topicPrefix ?? '',
    POLLCAST_SERVICE_TOKEN: settings.secrets.serviceToken,
    INSTANCE_SERVICE_URL: instanceServiceUrl,
    POLLCAST_ALLOW_PRIVATE_CALLBACKS: 'true',
    // Provider calls: the only private addresses allowed in development are the simulators' (the
    // switch above is for callbacks only).
    POLLCAST_PROVIDER_ALLOWED_HOSTS: `${new URL(providerBaseUrl).host},127.0.0.1:${port('providerSim')}`,
    ...settings.extraEnv,
  };
  // The console (served by instance-service) calls the poller's and dispatcher's APIs across origins.
  const consoleOrigin = instanceServiceUrl;
  const service = (
    name: string,
    key: keyof typeof PORTS,
    extra: Record<string, string> = {},
  ): ProcessSpec => ({
    name,
    entry: join('apps', name, 'dist', 'main.js'),
    port: port(key),
    readyPath: '/health/ready',
    env: { ...common, ...extra },
  });
  const tools: ProcessSpec[] = [
    {
      name: 'maximizer-sim',
      entry: join('tools', 'maximizer-sim', 'dist', 'main.js'),
      port: port('maximizerSim'),
      readyPath: '/health/ready',
      env: { LOG_LEVEL: settings.logLevel ?? 'info', ...settings.toolEnv },
    },
    {
      // Salesforce, HubSpot, GitHub and Zendesk wire shapes for the declarative elements.
      name: 'provider-sim',
      entry: join('tools', 'provider-sim', 'dist', 'main.js'),
      port: port('providerSim'),
      readyPath: '/health/ready',
      env: { LOG_LEVEL: settings.logLevel ?? 'info' },
    },
    {
      name: 'webhook-sink',
      entry: join('tools', 'webhook-sink', 'dist', 'main.js'),
      port: port('webhookSink'),
      readyPath: '/health/ready',
      env: { LOG_LEVEL: settings.logLevel ?? 'info', ...settings.toolEnv },
    },
  ].filter((spec) => existsSync(join(root, spec.entry)));
  return [
    ...tools,
    service('instance-service', 'instanceService', {
      POLLCAST_ENCRYPTION_KEYS: settings.secrets.encryptionKeys,
      POLLCAST_BOOTSTRAP_ORGANIZATION_SECRET: settings.secrets.organizationSecret,
      POLLCAST_BOOTSTRAP_USER_SECRET: settings.secrets.userSecret,
      MAXIMIZER_BASE_URL: providerBaseUrl,
      CONSOLE_POLLER_API_BASE: `http://127.0.0.1:${port('pollerService')}`,
      CONSOLE_DISPATCHER_API_BASE: `http://127.0.0.1:${port('dispatcher')}`,
    }),
    service('poller-service', 'pollerService', { POLLCAST_CORS_ORIGINS: consoleOrigin }),
    service('normalizer', 'normalizer'),
    service('dispatcher', 'dispatcher', { POLLCAST_CORS_ORIGINS: consoleOrigin }),
  ];
}
