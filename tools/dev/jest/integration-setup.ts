import { PROFILES, startInfra, type Infra } from '../src/infra';

declare global {
  var __POLLCAST_INFRA__: Infra | undefined;
}

/** Starts one real Kafka and one real Postgres for the whole integration run (or uses the ones named
 * by KAFKA_BROKERS / DATABASE_URL). Workers inherit the variables set here. */
export default async function setup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[integration] ${line}\n`);
  const infra = await startInfra(PROFILES.test, log);
  globalThis.__POLLCAST_INFRA__ = infra;
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
}
