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

describe('SSRF guard with private callbacks not allowed', () => {
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

  it.each([
    ['a loopback IP literal', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['a name resolving to loopback', (port: number) => `http://localhost:${port}/hook`],
    ['an IPv4-mapped IPv6 loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['a metadata address', () => 'http://169.254.169.254/latest/meta-data'],
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
    expect(failed[0]?.lastError).toMatch(/refused/);
    const detail = (await (
      await fetch(`${dispatcher.url}/elements/api-v2/instances/${instance.id}/events/${event.eventId}`, {
        headers: { authorization: AUTH },
      })
    ).json()) as EventDetailView;
    expect(detail.deliveryAttempts[0]).toMatchObject({ outcome: 'refused', statusCode: null });
    expect(sink.count()).toBe(0);
  });
});
