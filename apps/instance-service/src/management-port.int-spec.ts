/* Production shape (docs/deploy/kubernetes.md): metrics, health and the internal API on MANAGEMENT_PORT
 * only, and readiness that does not depend on Kafka (the outbox keeps what instance-service produces). */
import { randomBytes } from 'node:crypto';
import { startService, type RunningService } from '@pollcast/service-kit';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName } from '@pollcast/testing';
import type { Env } from './env';
import { instanceServiceOptions } from './service';

async function startInstanceService(extra: NodeJS.ProcessEnv): Promise<RunningService<Env>> {
  return startService(
    instanceServiceOptions({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: await createTestDatabase('mgmt'),
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PARTITIONS: '1',
      POLLCAST_TOPIC_PREFIX: `${uniqueName('mgmt')}.`,
      POLLCAST_SERVICE_TOKEN: 'internal-service-token-0123456789',
      POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...extra,
    }),
  );
}

describe('instance-service with MANAGEMENT_PORT', () => {
  let service: RunningService<Env>;
  beforeAll(async () => {
    service = await startInstanceService({ MANAGEMENT_PORT: String(await freePort()) });
  }, 60_000);
  afterAll(() => service.close());

  it('serves metrics, health and the internal API on the management port only', async () => {
    const management = service.managementUrl ?? '';
    expect(management).not.toBe('');
    expect(management).not.toBe(service.url);
    const metrics = await fetch(`${management}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_resident_memory_bytes');
    expect((await fetch(`${management}/health/live`)).status).toBe(200);
    expect((await fetch(`${management}/health/ready`)).status).toBe(200);
    // Reachable: refused by the service-token guard, not unknown.
    const internal = await fetch(`${management}/internal/auth/verify`, { method: 'POST' });
    expect(internal.status).toBe(401);

    for (const path of ['/metrics', '/health/live', '/health/ready', '/internal/auth/verify']) {
      const answer = await fetch(`${service.url}${path}`, {
        method: path.startsWith('/internal') ? 'POST' : 'GET',
      });
      expect([path, answer.status]).toEqual([path, 404]);
      expect(await answer.json()).toEqual(expect.objectContaining({ requestId: expect.any(String) }));
    }
  });

  it('keeps the public API on the public port and off the management port', async () => {
    const publicAnswer = await fetch(`${service.url}/elements/api-v2/instances`);
    expect(publicAnswer.status).toBe(401);
    expect(publicAnswer.headers.get('x-powered-by')).toBeNull(); // no framework named to callers
    expect((await fetch(`${service.managementUrl ?? ''}/elements/api-v2/instances`)).status).toBe(404);
  });
});

describe('instance-service without Kafka', () => {
  it('is ready when PostgreSQL answers, although no broker does', async () => {
    // A port nothing listens on: the broker is "down" for the whole test.
    const service = await startInstanceService({ KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    try {
      const ready = await fetch(`${service.url}/health/ready`);
      const body = (await ready.json()) as { info?: Record<string, unknown> };
      expect(ready.status).toBe(200);
      expect(Object.keys(body.info ?? {})).toEqual(['postgres']);
    } finally {
      await service.close();
    }
  }, 60_000);
});
