import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { log4j2Properties } from './log4j2.properties';

export const KAFKA_VERSION = '4.1.2';
const REPO_ROOT = resolve(__dirname, '../../..');
const POM = resolve(__dirname, '../pom.xml');
export const DEFAULT_JAR_DIR = join(REPO_ROOT, '.cache', 'kafka', KAFKA_VERSION);

export interface LocalKafkaOptions {
  /** Folder for data, logs, config and the pid file; formatted fresh unless `keepData`. */
  dir: string;
  port: number;
  controllerPort: number;
  /** The port clients are told to connect to, when it is not `port` (a fault proxy in front: the soak). */
  advertisedPort?: number;
  heapMb?: number;
  keepData?: boolean;
  jarDir?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalKafkaHandle {
  brokers: string;
  pid: number;
  startedInMs: number;
  stop(): Promise<void>;
}

export class LocalKafkaError extends Error {}

function commandExists(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Fetches the broker's jars from Maven Central once per machine (Maven's own cache does the rest). */
export function ensureKafkaJars(jarDir = DEFAULT_JAR_DIR, log: (line: string) => void = () => {}): string {
  const marker = join(jarDir, '.complete');
  if (existsSync(marker)) return jarDir;
  if (!commandExists('java', ['-version'])) {
    throw new LocalKafkaError(
      'java was not found on the PATH: the local Kafka broker needs Java 17+ (or set KAFKA_BROKERS to use an existing cluster).',
    );
  }
  if (!commandExists('mvn', ['-v'])) {
    throw new LocalKafkaError(
      'mvn was not found on the PATH: the local Kafka broker is fetched from Maven Central with Maven (or set KAFKA_BROKERS to use an existing cluster).',
    );
  }
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${jarDir} (once per machine)`);
  rmSync(jarDir, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      POM,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${jarDir}`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new LocalKafkaError(
      `mvn could not fetch the Kafka jars (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  if (!readdirSync(jarDir).some((file) => file.startsWith('kafka_2.13-'))) {
    throw new LocalKafkaError(`mvn finished but ${jarDir} has no kafka_2.13 jar`);
  }
  writeFileSync(marker, `${KAFKA_VERSION}\n`);
  return jarDir;
}

function serverProperties(options: LocalKafkaOptions, dataDir: string): string {
  const { port, controllerPort } = options;
  const advertisedPort = options.advertisedPort ?? port;
  // Single node settings: see shared/reference/kafka-local.md. Replication 1 everywhere or groups hang.
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${advertisedPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    'log.cleaner.dedupe.buffer.size=2097152',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/** Extra JVM options for the local broker (`POLLCAST_KAFKA_JVM_OPTS`, space-separated, each starting with
 * `-`), e.g. JIT settings for a measurement; none by default. */
export function extraJvmOptions(value = process.env['POLLCAST_KAFKA_JVM_OPTS']): string[] {
  const options = (value ?? '').split(/\s+/).filter(Boolean);
  const bad = options.find((option) => !option.startsWith('-'));
  if (bad !== undefined)
    throw new LocalKafkaError(`POLLCAST_KAFKA_JVM_OPTS: '${bad}' is not a JVM option (they start with '-')`);
  return options;
}

function javaArgs(jarDir: string, confDir: string, heapMb: number): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    ...extraJvmOptions(),
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(confDir, 'log4j2.properties')}`,
    '-cp',
    `${jarDir}/*`,
  ];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True once the broker answers a metadata request (an open port is not enough). */
export async function brokerAnswers(brokers: string, timeoutMs = 3000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'pollcast-kafka-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function pidFile(dir: string): string {
  return join(dir, 'kafka.pid');
}

export function readPid(dir: string): number | undefined {
  const file = pidFile(dir);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Sends `signal` (SIGTERM runs Kafka's controlled shutdown; SIGINT is PostgreSQL's fast shutdown) and
 * waits; after `graceMs` the process is killed. */
export async function stopPid(
  pid: number,
  graceMs = 30000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

/** Starts a broker as a detached process; resolves once it serves clients. */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafkaHandle> {
  const log = options.log ?? (() => {});
  const began = Date.now();
  const dir = resolve(options.dir);
  const brokers = `127.0.0.1:${options.port}`;
  const running = readPid(dir);
  if (running !== undefined) {
    throw new LocalKafkaError(
      `a broker started from ${dir} is already running (pid ${running}); stop it first`,
    );
  }
  if (await brokerAnswers(brokers, 1000)) {
    throw new LocalKafkaError(`something already answers as a Kafka broker on ${brokers}`);
  }
  const jarDir = ensureKafkaJars(options.jarDir, log);
  const dataDir = join(dir, 'data');
  const confDir = join(dir, 'config');
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(confDir, { recursive: true });
  const heapMb = options.heapMb ?? 512;
  const propsFile = join(confDir, 'server.properties');
  const logFile = join(dir, 'server.log');
  writeFileSync(propsFile, serverProperties(options, dataDir));
  writeFileSync(join(confDir, 'log4j2.properties'), log4j2Properties(logFile));

  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    const format = spawnSync(
      'java',
      [
        ...javaArgs(jarDir, confDir, 256),
        'kafka.tools.StorageTool',
        'format',
        // base64url may start with '-': as --cluster-id=<id> it is never read as an option.
        `--cluster-id=${clusterId}`,
        '-c',
        propsFile,
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      throw new LocalKafkaError(
        `formatting ${dataDir} failed (exit ${format.status}):\n${format.stdout}${format.stderr}`,
      );
    }
  }

  const out = openSync(join(dir, 'stdout.log'), 'a');
  const child = spawn('java', [...javaArgs(jarDir, confDir, heapMb), 'kafka.Kafka', propsFile], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new LocalKafkaError('java did not start');
  writeFileSync(pidFile(dir), `${pid}\n`);

  const deadline = Date.now() + (options.startTimeoutMs ?? 120000);
  for (;;) {
    if (!isAlive(pid)) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
      throw new LocalKafkaError(`the broker exited during start-up; last lines of ${logFile}:\n${tail}`);
    }
    const started = existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Kafka Server started');
    if (started && (await brokerAnswers(brokers))) break;
    if (Date.now() > deadline) {
      await stopPid(pid, 5000);
      throw new LocalKafkaError(
        `the broker did not become ready within ${options.startTimeoutMs ?? 120000} ms`,
      );
    }
    await sleep(250);
  }
  const startedInMs = Date.now() - began;
  log(`Kafka ${KAFKA_VERSION} ready on ${brokers} in ${startedInMs} ms (pid ${pid})`);
  return {
    brokers,
    pid,
    startedInMs,
    stop: async () => {
      await stopPid(pid);
      rmSync(pidFile(dir), { force: true });
    },
  };
}
