import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkObservability, REPO_ROOT, startProcess, type SupervisedProcess } from '@pollcast/dev';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName } from '@pollcast/testing';

const APPS = ['instance-service', 'poller-service', 'normalizer', 'dispatcher'] as const;
/** Each app's /metrics, for the dashboard and alert rules check below. */
const scrapes = new Map<string, string>();

/** Each app, started from its built output as production runs it, against the real broker and database. */
describe.each(APPS)('%s as a process', (app) => {
  let processHandle: SupervisedProcess;
  const entry = join('apps', app, 'dist', 'main.js');

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase(app.replace(/-/g, '_'));
    processHandle = await startProcess(
      {
        name: app,
        entry,
        port: await freePort(),
        readyPath: '/health/ready',
        env: {
          DATABASE_URL: databaseUrl,
          KAFKA_BROKERS: kafkaBrokers(),
          POLLCAST_TOPIC_PREFIX: `${uniqueName()}.`,
          LOG_LEVEL: 'info',
          POLLCAST_SERVICE_TOKEN: 'test-service-token-0123456789abcdef',
          POLLCAST_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
          INSTANCE_SERVICE_URL: 'http://127.0.0.1:9',
        },
      },
      {
        cwd: REPO_ROOT,
        logFile: join(REPO_ROOT, '.data', 'test', 'logs', `${app}-boot.log`),
        timeoutMs: 60000,
      },
    );
  });

  afterAll(async () => {
    await processHandle?.stop(5000);
  });

  it('answers /health/live, /health/ready (Postgres, and Kafka for consumers) and /metrics', async () => {
    const live = await fetch(`${processHandle.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${processHandle.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { info: Record<string, { status: string }> };
    expect(body.info.postgres?.status).toBe('up');
    // instance-service serves its API without Kafka (its outbox holds what it produces): readiness is
    // PostgreSQL alone; the consumers need Kafka to do their work.
    expect(body.info.kafka?.status).toBe(app === 'instance-service' ? undefined : 'up');
    const metrics = await (await fetch(`${processHandle.url}/metrics`)).text();
    expect(metrics).toContain(`process_cpu_user_seconds_total{component="${app}"}`);
    scrapes.set(app, metrics);
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await processHandle.stop(20000);
    expect(code).toBe(0);
  });

  it('refuses to start with a wrong variable, naming it in one line', () => {
    const result = spawnSync(process.execPath, [entry], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, PORT: 'eighty', KAFKA_BROKERS: kafkaBrokers() },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^${app}: invalid environment: .*DATABASE_URL: is required but not set`),
    );
    expect(lines[0]).toContain('PORT: ');
    expect(lines[0]).toContain('"eighty"');
  });
});

// After every app above has been scraped (Jest runs describe blocks of a file in order).
describe('deploy/observability against the running services', () => {
  it('the Grafana dashboard and the alert rules load, parse, and query only metrics the services expose', () => {
    expect([...scrapes.keys()].sort()).toEqual([...APPS].sort());
    expect(checkObservability(REPO_ROOT, [...scrapes.values()])).toEqual([]);
  });
});
