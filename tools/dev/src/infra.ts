import { isAbsolute, relative, resolve } from 'node:path';
import {
  brokerAnswers,
  readPid,
  startLocalKafka,
  stopPid,
  type LocalKafkaHandle,
} from '@pollcast/local-kafka';
import { postgresPidOf, startLocalPostgres, type LocalPostgresHandle } from './local-postgres';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** Which Node runs the platform, for the banners: the one `npm ci` pinned, or else the one on PATH. */
export function describeRuntime(): string {
  const where = relative(REPO_ROOT, process.execPath);
  const pinned = !where.startsWith('..') && !isAbsolute(where);
  return `Node ${process.version} (${pinned ? `${where}, pinned by package.json` : `${process.execPath}, from PATH`})`;
}

export interface InfraProfile {
  name: 'dev' | 'test' | 'faults' | 'soak' | 'bench' | 'fuzz';
  kafkaPort: number;
  kafkaControllerPort: number;
  postgresPort: number;
  /** dev keeps data across restarts; test starts from nothing every run. */
  keepData: boolean;
}

/* The profiles that restart their broker or database while clients reconnect (faults, soak) or run
 * beside them (test, bench, fuzz) listen below Linux's ephemeral range (32768–60999): a client that
 * connects to a port in that range while nothing listens there can be given that same port as its own
 * source port and connect to itself, and the broker starting next fails with "Address already in use".
 * dev keeps its well-known ports (9092, 54329), which users' own tools point at. */
export const PROFILES: Record<InfraProfile['name'], InfraProfile> = {
  dev: { name: 'dev', kafkaPort: 9092, kafkaControllerPort: 9093, postgresPort: 54329, keepData: true },
  test: { name: 'test', kafkaPort: 29092, kafkaControllerPort: 29093, postgresPort: 25439, keepData: false },
  /** The fault suite restarts its broker and database itself, so it owns its own pair. */
  faults: {
    name: 'faults',
    kafkaPort: 21092,
    kafkaControllerPort: 21093,
    postgresPort: 25449,
    keepData: false,
  },
  /** `npm run test:soak` (test/faults/soak.ts): its broker sits behind Toxiproxy, so it is its own too. */
  soak: {
    name: 'soak',
    kafkaPort: 22092,
    kafkaControllerPort: 22093,
    postgresPort: 25469,
    keepData: false,
  },
  bench: {
    name: 'bench',
    kafkaPort: 23092,
    kafkaControllerPort: 23093,
    postgresPort: 25459,
    keepData: false,
  },
  /** `npm run test:fuzz` (schemathesis against the three APIs). */
  fuzz: {
    name: 'fuzz',
    kafkaPort: 19092,
    kafkaControllerPort: 19093,
    postgresPort: 25419,
    keepData: false,
  },
};

export interface Infra {
  kafkaBrokers: string;
  /** Admin URL (database `postgres`); services and tests create their own databases from it. */
  databaseUrl: string;
  urlForDatabase(database: string): string;
  timings: { kafkaMs?: number; postgresMs?: number };
  pids: { kafka?: number };
  stop(): Promise<void>;
}

export function dataDir(profile: InfraProfile, what: string): string {
  return resolve(REPO_ROOT, '.data', profile.name, what);
}

/** A crashed earlier run may have left a broker or a cluster behind on our folders: stop it first —
 * only what this run is about to start again (with KAFKA_BROKERS / DATABASE_URL set it starts nothing,
 * and must not touch a run that is using those folders). */
export async function stopLeftovers(
  profile: InfraProfile,
  which: { kafka: boolean; postgres: boolean },
  log: (line: string) => void,
): Promise<void> {
  const kafkaPid = which.kafka ? readPid(dataDir(profile, 'kafka')) : undefined;
  if (kafkaPid !== undefined) {
    log(`stopping a broker left running by an earlier run (pid ${kafkaPid})`);
    await stopPid(kafkaPid);
  }
  const postgresPid = which.postgres ? postgresPidOf(dataDir(profile, 'postgres')) : undefined;
  if (postgresPid !== undefined) {
    log(`stopping a PostgreSQL left running by an earlier run, if any (pid ${postgresPid})`);
    await stopPid(postgresPid, 20000, 'SIGINT');
  }
}

/** Starts Kafka and Postgres for a profile, or uses KAFKA_BROKERS / DATABASE_URL when they are set. */
export async function startInfra(profile: InfraProfile, log: (line: string) => void): Promise<Infra> {
  const externalKafka = process.env.KAFKA_BROKERS;
  const externalDatabase = process.env.DATABASE_URL;
  await stopLeftovers(profile, { kafka: !externalKafka, postgres: !externalDatabase }, log);
  const [kafka, postgres] = await Promise.all([
    (async (): Promise<LocalKafkaHandle | undefined> => {
      if (externalKafka) {
        if (!(await brokerAnswers(externalKafka, 5000)))
          throw new Error(`KAFKA_BROKERS=${externalKafka} does not answer`);
        log(`Kafka: using KAFKA_BROKERS=${externalKafka}`);
        return undefined;
      }
      return startLocalKafka({
        dir: dataDir(profile, 'kafka'),
        port: profile.kafkaPort,
        controllerPort: profile.kafkaControllerPort,
        keepData: profile.keepData,
        log,
      });
    })(),
    (async (): Promise<LocalPostgresHandle | undefined> => {
      if (externalDatabase) {
        log('PostgreSQL: using DATABASE_URL');
        return undefined;
      }
      return startLocalPostgres({
        dir: dataDir(profile, 'postgres'),
        port: profile.postgresPort,
        keepData: profile.keepData,
        log,
      });
    })(),
  ]);
  const databaseUrl = postgres?.url ?? externalDatabase ?? '';
  return {
    kafkaBrokers: kafka?.brokers ?? externalKafka ?? '',
    databaseUrl,
    urlForDatabase: (database) => {
      const url = new URL(databaseUrl);
      url.pathname = `/${encodeURIComponent(database)}`;
      return url.toString();
    },
    timings: { kafkaMs: kafka?.startedInMs, postgresMs: postgres?.startedInMs },
    pids: { kafka: kafka?.pid },
    stop: async () => {
      await Promise.all([kafka?.stop(), postgres?.stop()]);
    },
  };
}
