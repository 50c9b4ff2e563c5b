// The outbound guard on every poller replica's Octopus calls, on the real PostgreSQL and Kafka: a
// snapshot's maximizer.url is tenant input, so a target the guard refuses is never dialled, and what the
// tenant reads back (last_error, run errors) names the rule, not the address or the provider's raw body.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { waitFor } from '@pollcast/testing';
import { PollerHarness } from './testing/harness';

jest.setTimeout(90_000);

let harness: PollerHarness;
let chatty: Server;
let chattyUrl: string;
let chattyRequests = 0;
// The machine's own name resolves to loopback here (/etc/hosts).
const ownName = hostname();

beforeAll(async () => {
  harness = await PollerHarness.create();
  // A "provider" that answers every call with an internal page and a 500.
  chatty = createServer((_request, response) => {
    chattyRequests += 1;
    response.writeHead(500, { 'content-type': 'text/html' });
    response.end('<html>admin console of db-internal-7.corp:5432 — secret stuff</html>');
  });
  await new Promise<void>((resolve) => chatty.listen(0, '127.0.0.1', resolve));
  chattyUrl = `http://127.0.0.1:${(chatty.address() as AddressInfo).port}`;
  const simPort = new URL(harness.sim.url).port;
  await harness.startPoller({
    // The simulator and the chatty server by address; the machine's name by name only.
    POLLCAST_PROVIDER_ALLOWED_HOSTS: `${new URL(harness.sim.url).host},${new URL(chattyUrl).host},${ownName}:${simPort}`,
    // Even with private callbacks allowed, provider calls stay guarded.
    POLLCAST_ALLOW_PRIVATE_CALLBACKS: 'true',
  });
});

afterAll(async () => {
  await harness?.close();
  await new Promise<void>((resolve) => chatty?.close(() => resolve()));
});

async function errorOf(instanceId: string): Promise<{ lastError: string; runError: string }> {
  const schedule = await waitFor(
    async () => {
      const row = await harness.schedule(instanceId, 'companies');
      return row?.last_error ? row : undefined;
    },
    { what: `a failed poll of ${instanceId}` },
  );
  const runs = await harness.runs(instanceId);
  return { lastError: String(schedule.last_error), runError: String(runs[0]?.error ?? '') };
}

describe('outbound guard on poller replicas', () => {
  it.each([
    ['a loopback address not on the allow-list', () => 'http://127.0.0.1:1'],
    ['cloud metadata', () => 'http://169.254.169.254'],
    ['an IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${new URL(harness.sim.url).port}`],
    ['a 6to4 loopback', () => `http://[2002:7f00:1::]:${new URL(harness.sim.url).port}`],
    ['a host nobody allowed', () => 'https://crm.evil.example'],
    [
      'an allowed name resolving to loopback when dialled',
      () => `http://${ownName}:${new URL(harness.sim.url).port}`,
    ],
  ])('refuses %s without dialling it and says only that', async (what, urlOf) => {
    const instanceId = `inst-guard-${what.replace(/[^a-z0-9]+/gi, '-')}`;
    const readsBefore = harness.sim.requests.list({ limit: 100000 }).length;
    await harness.publishSnapshot(
      harness.snapshot(instanceId, {
        intervalSeconds: 1,
        elementConfig: { 'maximizer.url': urlOf(), 'maximizer.alias': 'sim' },
      }),
    );
    const { lastError, runError } = await errorOf(instanceId);
    for (const text of [lastError, runError]) {
      expect(text).toMatch(/refused by the outbound guard/);
      expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|169\.254|loopback/);
    }
    // Nothing reached the simulator (listening on the port some of these aim at).
    expect(harness.sim.requests.list({ limit: 100000 }).length).toBe(readsBefore);
  });

  it("keeps a provider's raw response body away from the tenant: the status at most", async () => {
    await harness.publishSnapshot(
      harness.snapshot('inst-chatty', {
        intervalSeconds: 1,
        elementConfig: { 'maximizer.url': chattyUrl, 'maximizer.alias': 'sim' },
      }),
    );
    const { lastError, runError } = await errorOf('inst-chatty');
    expect(chattyRequests).toBeGreaterThan(0);
    for (const text of [lastError, runError]) {
      expect(text).toMatch(/HTTP 500/);
      expect(text).not.toMatch(/admin console|db-internal|secret|<html>/);
    }
  });
});
