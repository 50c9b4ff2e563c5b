import { join } from 'node:path';
import {
  authorizationHeader,
  generateSecrets,
  platformProcesses,
  REPO_ROOT,
  startProcess,
  type ProcessSpec,
  type SupervisedProcess,
} from '@pollcast/dev';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName } from '@pollcast/testing';

export interface PlatformOptions {
  /** Extra replicas of the scaled services (e2e runs two of each). */
  replicas?: Partial<Record<'poller-service' | 'normalizer' | 'dispatcher', number>>;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  logLevel?: string;
  /** Fixed ports (the soak puts proxies in front of the simulator and the sink). */
  ports?: Partial<Record<'maximizerSim' | 'webhookSink', number>>;
  /** How the services reach Kafka, PostgreSQL and the provider, when not directly (the soak's
   * Toxiproxy): brokers, a rewrite of the database URL, the provider's base URL. */
  route?: { kafkaBrokers?: string; databaseUrl?: (url: string) => string; providerBaseUrl?: string };
  /** Extra environment for the simulator and the sink. */
  toolEnv?: Record<string, string>;
  /** How long a process may take to be ready (default 90 s; the soak, on a loaded machine, allows more). */
  startTimeoutMs?: number;
}

export interface RunningPlatform {
  instanceServiceUrl: string;
  pollerUrl: string;
  normalizerUrl: string;
  dispatcherUrl: string;
  simUrl: string;
  /** tools/provider-sim: Salesforce, HubSpot, GitHub, Zendesk. */
  providerSimUrl: string;
  sinkUrl: string;
  /** `User …, Organization …` of the bootstrapped development tenant. */
  authorization: string;
  topicPrefix: string;
  databaseUrl: string;
  /** Where each process's output goes (`<name>[-<n>].log`), kept after the run. */
  logDir: string;
  processes: SupervisedProcess[];
  /** Starts one more copy of a service (another replica, or a restart after a kill). */
  startReplica(
    name: 'poller-service' | 'normalizer' | 'dispatcher' | 'instance-service',
  ): Promise<SupervisedProcess>;
  stop(): Promise<void>;
}

/** Development-speed settings: polls every few seconds, retries in milliseconds. */
export const FAST_PLATFORM_ENV: Record<string, string> = {
  POLLER_INTERVAL_UNIT: 'seconds',
  POLLER_OVERLAP_SECONDS: '2',
  POLLER_START_JITTER_SECONDS: '1',
  POLLER_FAILURE_BACKOFF_BASE_SECONDS: '1',
  POLLER_FAILURE_BACKOFF_MAX_SECONDS: '5',
  DISPATCHER_RETRY_INITIAL_MS: '200',
  DISPATCHER_RETRY_MULTIPLIER: '2',
  DISPATCHER_RETRY_MAX_DELAY_MS: '2000',
  DISPATCHER_BREAKER_OPEN_MS: '1000',
  DISPATCHER_DELIVERY_CACHE_MS: '1000',
};

/**
 * Starts the simulator, the sink and the four services as separate OS processes from their built
 * output (as production runs them), on a fresh database and unique topics of the test broker.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const databaseUrl = await createTestDatabase('platform');
  const topicPrefix = `${uniqueName('e2e')}.`;
  const secrets = generateSecrets();
  const ports = {
    instanceService: await freePort(),
    pollerService: await freePort(),
    normalizer: await freePort(),
    dispatcher: await freePort(),
    maximizerSim: options.ports?.maximizerSim ?? (await freePort()),
    providerSim: await freePort(),
    webhookSink: options.ports?.webhookSink ?? (await freePort()),
  };
  const specs = platformProcesses(REPO_ROOT, {
    kafkaBrokers: options.route?.kafkaBrokers ?? kafkaBrokers(),
    databaseUrl: options.route?.databaseUrl?.(databaseUrl) ?? databaseUrl,
    providerBaseUrl: options.route?.providerBaseUrl,
    toolEnv: options.toolEnv,
    secrets,
    topicPrefix,
    logLevel: options.logLevel ?? 'info',
    ports,
    extraEnv: { ...FAST_PLATFORM_ENV, ...options.env },
  });
  const logDir = join(REPO_ROOT, '.data', 'test', 'logs', topicPrefix.slice(0, -1));
  const processes: SupervisedProcess[] = [];
  let replicaCount = 0;
  const launch = async (spec: ProcessSpec, suffix = '') =>
    startProcess(spec, {
      cwd: REPO_ROOT,
      logFile: join(logDir, `${spec.name}${suffix}.log`),
      timeoutMs: options.startTimeoutMs ?? 90000,
    });
  const stop = async () => {
    await Promise.all(processes.map((processHandle) => processHandle.stop(15000)));
  };
  try {
    // allSettled: when one fails to start, the ones that did are still stopped.
    const launchAll = async (group: ProcessSpec[]) => {
      const outcomes = await Promise.allSettled(group.map((spec) => launch(spec)));
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') processes.push(outcome.value);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    };
    await launchAll(specs.filter((spec) => spec.entry.startsWith('tools')));
    const instanceService = specs.find((spec) => spec.name === 'instance-service');
    if (!instanceService) throw new Error('instance-service is not in the platform');
    // instance-service first: the others authenticate and fetch tokens through it.
    processes.push(await launch(instanceService));
    const others = specs.filter((spec) => spec.entry.startsWith('apps') && spec.name !== 'instance-service');
    await launchAll(others);
  } catch (error) {
    await stop();
    throw error;
  }
  const isLive = (p: SupervisedProcess) => p.child.exitCode === null && p.child.signalCode === null;
  const startReplica: RunningPlatform['startReplica'] = async (name) => {
    const spec = specs.find((candidate) => candidate.name === name);
    if (!spec) throw new Error(`unknown service ${name}`);
    replicaCount += 1;
    // A restart takes the service's own port back when it is free: the others call it there.
    const portTaken = processes.some((p) => isLive(p) && p.spec.port === spec.port);
    const replica = await launch(
      { ...spec, port: portTaken ? await freePort() : spec.port },
      `-${replicaCount}`,
    );
    processes.push(replica);
    return replica;
  };
  for (const [name, count] of Object.entries(options.replicas ?? {})) {
    for (let i = 1; i < (count ?? 1); i += 1) await startReplica(name as 'poller-service');
  }
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    instanceServiceUrl: url(ports.instanceService),
    pollerUrl: url(ports.pollerService),
    normalizerUrl: url(ports.normalizer),
    dispatcherUrl: url(ports.dispatcher),
    simUrl: url(ports.maximizerSim),
    providerSimUrl: url(ports.providerSim),
    sinkUrl: url(ports.webhookSink),
    authorization: authorizationHeader(secrets),
    topicPrefix,
    databaseUrl,
    logDir,
    processes,
    startReplica,
    stop,
  };
}
