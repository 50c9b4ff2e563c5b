import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '@pollcast/service-kit';
import { createTestDatabase, kafkaBrokers, uniqueName } from '@pollcast/testing';
import { instanceServiceOptions } from '../service';

describe('instance-service serves the console', () => {
  let service: RunningService;
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Pollcast console</title>');
    writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    service = await startService(
      instanceServiceOptions({
        PORT: '0',
        DATABASE_URL: await createTestDatabase('console'),
        KAFKA_BROKERS: kafkaBrokers(),
        POLLCAST_TOPIC_PREFIX: `${uniqueName()}.`,
        POLLCAST_SERVICE_TOKEN: randomBytes(24).toString('hex'),
        POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        LOG_LEVEL: 'warn',
        CONSOLE_DIST_DIR: dist,
        CONSOLE_POLLER_API_BASE: 'http://127.0.0.1:3001',
        CONSOLE_DISPATCHER_API_BASE: 'http://127.0.0.1:3003',
      }),
    );
  });

  afterAll(async () => {
    await service?.close();
  });

  it('answers index.html at / and for client routes such as the OAuth callback', async () => {
    for (const path of ['/', '/instances/42', '/oauth/callback?code=abc&state=xyz']) {
      const response = await fetch(`${service.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('Pollcast console');
    }
  });

  it('serves built assets, immutable', async () => {
    const response = await fetch(`${service.url}/assets/app-1234.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('tells the console where the poller and dispatcher APIs are', async () => {
    const response = await fetch(`${service.url}/console-config.json`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      apiBase: '',
      pollerApiBase: 'http://127.0.0.1:3001',
      dispatcherApiBase: 'http://127.0.0.1:3003',
    });
  });

  it('keeps unknown API paths a JSON 404 and never leaves the build folder', async () => {
    const api = await fetch(`${service.url}/elements/api-v2/nothing-here`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ message: expect.stringContaining('Cannot GET') });
    const escape = await fetch(`${service.url}/%2e%2e/%2e%2e/package.json`);
    expect(await escape.text()).not.toContain('"name"');
  });
});
