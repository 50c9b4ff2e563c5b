import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { classifyAddress } from '@pollcast/outbound-guard';
import type { RunningService } from '@pollcast/service-kit';
import { createTestDatabase, uniqueName, waitFor } from '@pollcast/testing';
import { createWebhookSink, type WebhookSink } from '@pollcast/webhook-sink';
import type { EventDetailView, EventView } from './api/events-api.schemas';
import type { Env } from './env';
import {
  snapshot,
  standardEvent,
  startDispatcher,
  startFakeInstanceService,
  testKafka,
  type FakeInstance,
  type FakeInstanceService,
} from './testing/dispatcher-harness';

const AUTH = 'User u, Organization o';

describe('outbound guard on callbacks, private callbacks not allowed', () => {
  let dispatcher: RunningService<Env>;
  let instanceService: FakeInstanceService;
  let kafka: ReturnType<typeof testKafka>;
  let sink: WebhookSink;

  beforeAll(async () => {
    const prefix = `${uniqueName('ssrf')}.`;
    instanceService = await startFakeInstanceService();
    instanceService.tenants.set(AUTH, { organizationId: 'org', userId: 'u', instanceId: null });
    sink = await createWebhookSink();
    dispatcher = await startDispatcher(await createTestDatabase('dispatcher'), prefix, instanceService.url, {
      POLLCAST_ALLOW_PRIVATE_CALLBACKS: 'false',
    });
    kafka = testKafka(prefix);
  });

  afterAll(async () => {
    await sink?.close();
    await dispatcher?.close();
    await kafka?.client.disconnect();
    await instanceService?.close();
  });

  // The machine's own name resolves to a loopback or private address here (it is in /etc/hosts): no
  // check before the request can see that, only the connector when it resolves the name to dial it.
  const ownName = hostname();

  it('has a machine name that resolves to a refused address (precondition of the connect-time case)', async () => {
    const addresses = await lookup(ownName, { all: true });
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.some((entry) => !classifyAddress(entry.address).allowed)).toBe(true);
  });

  it.each([
    ['a loopback IP literal', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['a localhost name', (port: number) => `http://localhost:${port}/hook`],
    ['a trailing-dot localhost', (port: number) => `http://localhost.:${port}/hook`],
    ['a name resolving to loopback when dialled', (port: number) => `http://${ownName}:${port}/hook`],
    ['an IPv4-mapped IPv6 loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['an IPv4-compatible IPv6 loopback', (port: number) => `http://[::7f00:1]:${port}/hook`],
    ['a SIIT IPv6 loopback', (port: number) => `http://[::ffff:0:7f00:1]:${port}/hook`],
    ['a 6to4 IPv6 loopback', (port: number) => `http://[2002:7f00:1::]:${port}/hook`],
    [
      'a Teredo IPv6 loopback',
      (port: number) => `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port}/hook`,
    ],
    ['a NAT64 loopback', (port: number) => `http://[64:ff9b::7f00:1]:${port}/hook`],
    ['a metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['credentials in the URL', (port: number) => `http://user:pass@127.0.0.1:${port}/hook`],
    ['a non-http scheme', () => 'ftp://example.com/hook'],
  ])('refuses %s without any request reaching it', async (_what, urlFor) => {
    const instance: FakeInstance = {
      id: uniqueName('inst-'),
      organizationId: 'org',
      callbackUrl: urlFor(sink.port),
      signatureKey: null,
      eventsEnabled: true,
    };
    instanceService.instances.set(instance.id, instance);
    await kafka.publishSnapshots([snapshot(instance)]);
    const event = standardEvent(instance);
    await kafka.publishEvents([event]);
    const failed = await waitFor(
      async () => {
        const response = await fetch(
          `${dispatcher.url}/elements/api-v2/instances/${instance.id}/events?status=FAILED`,
          {
            headers: { authorization: AUTH },
          },
        );
        const events = (await response.json()) as EventView[];
        return events.length === 1 ? events : undefined;
      },
      { what: 'the refused event' },
    );
    expect(failed[0]?.lastError).toMatch(/refused by the outbound guard/);
    // What the name resolved to is nobody's business but the guard's.
    expect(failed[0]?.lastError).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    const detail = (await (
      await fetch(`${dispatcher.url}/elements/api-v2/instances/${instance.id}/events/${event.eventId}`, {
        headers: { authorization: AUTH },
      })
    ).json()) as EventDetailView;
    expect(detail.deliveryAttempts[0]).toMatchObject({ outcome: 'refused', statusCode: null });
    expect(sink.count()).toBe(0);
  });
});
