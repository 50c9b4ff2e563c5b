import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { RunningService } from '@pollcast/service-kit';
import { createTestDatabase, uniqueName, waitFor } from '@pollcast/testing';
import { createWebhookSink, type ReceivedRequest, type WebhookSink } from '@pollcast/webhook-sink';
import type { EventDetailView, EventView, RedeliverResult } from './api/events-api.schemas';
import type { Env } from './env';
import { PruneHistoryJob } from './history/prune-history.job';
import type { NotificationBody } from './notifications/notification-body';
import type { DeliveryStatsView } from './stats/delivery-stats.schemas';
import {
  snapshot,
  standardEvent,
  startDispatcher,
  startFakeInstanceService,
  testKafka,
  type FakeInstance,
  type FakeInstanceService,
} from './testing/dispatcher-harness';

const ORG = 'org-a';
const AUTH = 'User user-secret, Organization org-secret';
const OTHER_AUTH = 'User other-user, Organization other-org';

function bodyOf(request: ReceivedRequest): NotificationBody {
  return request.json as NotificationBody;
}
function eventIdsOf(request: ReceivedRequest, byObjectId: Map<string, string>): string[] {
  return bodyOf(request).message.events.map((event) => byObjectId.get(event.objectId) ?? '?');
}

describe('dispatcher through Kafka, Postgres and real HTTP', () => {
  let prefix: string;
  let dispatcher: RunningService<Env>;
  let instanceService: FakeInstanceService;
  let kafka: ReturnType<typeof testKafka>;
  const sinks: WebhookSink[] = [];

  const newSink = async (signatureKey?: string) => {
    const sink = await createWebhookSink(signatureKey ? { signatureKey } : {});
    sinks.push(sink);
    return sink;
  };
  const addInstance = async (
    sink: WebhookSink,
    signatureKey: string | null = null,
  ): Promise<FakeInstance> => {
    const id = uniqueName('inst-');
    const instance: FakeInstance = {
      id,
      organizationId: ORG,
      callbackUrl: `${sink.url}/hooks/${id}`,
      signatureKey,
      eventsEnabled: true,
    };
    instanceService.instances.set(id, instance);
    await kafka.publishSnapshots([snapshot(instance)]);
    return instance;
  };
  const api = async <T>(method: string, path: string, body?: unknown, authorization = AUTH) => {
    const response = await fetch(`${dispatcher.url}/elements/api-v2${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  };
  const eventsOf = async (instanceId: string, query = '') =>
    (await api<EventView[]>('GET', `/instances/${instanceId}/events?pageSize=500${query}`)).body;

  beforeAll(async () => {
    prefix = `${uniqueName('disp')}.`;
    instanceService = await startFakeInstanceService();
    instanceService.tenants.set(AUTH, { organizationId: ORG, userId: 'user-a', instanceId: null });
    instanceService.tenants.set(OTHER_AUTH, { organizationId: 'org-b', userId: 'user-b', instanceId: null });
    dispatcher = await startDispatcher(await createTestDatabase('dispatcher'), prefix, instanceService.url, {
      DISPATCHER_MAX_RETRIES: '10',
      DISPATCHER_RETRY_INITIAL_MS: '100',
      DISPATCHER_RETRY_MULTIPLIER: '2',
      DISPATCHER_RETRY_MAX_DELAY_MS: '1000',
      DISPATCHER_RETRY_AFTER_MAX_MS: '2000',
      DISPATCHER_BREAKER_FAILURES: '5',
      DISPATCHER_BREAKER_OPEN_MS: '300',
      DISPATCHER_TIMEOUT_MS: '20000',
      DISPATCHER_ENDPOINT_CONCURRENCY: '4',
      DISPATCHER_CONCURRENCY: '32',
      DISPATCHER_DELIVERY_CACHE_MS: '1000',
    });
    kafka = testKafka(prefix);
  });

  afterAll(async () => {
    await Promise.all(sinks.map((sink) => sink.close()));
    await dispatcher?.close();
    await kafka?.client.disconnect();
    await instanceService?.close();
  });

  it('delivers signed notifications of at most 10 events of one resource, verifiable both ways', async () => {
    const key = 'tenant-a-signature-key';
    const sink = await newSink(key);
    const instance = await addInstance(sink, key);
    const events = [
      ...Array.from({ length: 25 }, () => standardEvent(instance, 'contacts')),
      ...Array.from({ length: 3 }, () => standardEvent(instance, 'companies')),
    ];
    await kafka.publishEvents(events);
    const byObjectId = new Map(events.map((event) => [event.objectId, event.eventId]));
    await waitFor(
      () =>
        sink.received({ accepted: true }).flatMap((request) => bodyOf(request).message.events).length >= 28,
      { what: '28 events at the sink' },
    );
    const requests = sink.received();
    const delivered = requests.flatMap((request) => eventIdsOf(request, byObjectId));
    expect(new Set(delivered)).toEqual(new Set(events.map((event) => event.eventId)));
    expect(delivered).toHaveLength(28);
    const verifier = new Webhook(`whsec_${Buffer.from(key, 'utf8').toString('base64')}`);
    for (const request of requests) {
      const { message } = bodyOf(request);
      expect(message.events.length).toBeLessThanOrEqual(10);
      expect(new Set(message.events.map((event) => event.objectType)).size).toBe(1);
      expect(message.raw.objectType).toBe(message.events[0]?.objectType);
      expect(message.raw[message.raw.objectType]).toHaveLength(message.events.length);
      expect(message).toMatchObject({ instanceId: instance.id, elementKey: 'maximizer' });
      // The sink's own check, the documented algorithm by hand, and the standardwebhooks library.
      expect(request.signatures).toMatchObject({ elements: 'valid', standard: 'valid' });
      const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(request.body).digest('base64');
      expect(request.headers['elements-webhook-signature']).toBe(`sha256=${expected}`);
      expect(verifier.verify(request.body, request.headers)).toEqual(JSON.parse(request.body));
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'webhook-id': message.eventId,
        'elements-webhook-id': message.eventId,
      });
      expect(request.headers['user-agent']).toMatch(/^Pollcast-Dispatcher\/\d+\.\d+\.\d+/);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    // A redelivered Kafka message (same event ids) sends nothing new.
    await kafka.publishEvents(events.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sink.received()).toHaveLength(requests.length);
  });

  it('lists events with status, paging and delivery attempts; another organization gets 404', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    const events = Array.from({ length: 12 }, () => standardEvent(instance));
    await kafka.publishEvents(events);
    await waitFor(async () => (await eventsOf(instance.id, '&status=NOTIFIED')).length === 12, {
      what: 'NOTIFIED',
    });

    const firstPage = await api<EventView[]>('GET', `/instances/${instance.id}/events?pageSize=5`);
    expect(firstPage.status).toBe(200);
    expect(firstPage.body).toHaveLength(5);
    const token = firstPage.headers.get('elements-next-page-token');
    expect(token).toBeTruthy();
    const secondPage = await api<EventView[]>(
      'GET',
      `/instances/${instance.id}/events?pageSize=10&nextPage=${token ?? ''}`,
    );
    expect(secondPage.body).toHaveLength(7);
    expect(new Set([...firstPage.body, ...secondPage.body].map((event) => event.id)).size).toBe(12);
    expect((await eventsOf(instance.id, '&status=QUEUED,FAILED')).length).toBe(0);
    expect((await eventsOf(instance.id, `&from=${new Date(Date.now() + 60_000).toISOString()}`)).length).toBe(
      0,
    );

    const eventId = events[0]?.eventId ?? '';
    const detail = await api<EventDetailView>('GET', `/instances/${instance.id}/events/${eventId}`);
    expect(detail.body).toMatchObject({
      id: eventId,
      status: 'NOTIFIED',
      objectType: 'contacts',
      attempts: 1,
    });
    expect(detail.body.providerData).toEqual(events[0]?.raw);
    expect(detail.body.deliveryAttempts).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, outcome: 'delivered', error: null }),
    ]);
    expect(detail.body.deliveryAttempts[0]?.responseBody).toContain('received');
    expect((await api<EventDetailView>('GET', `/instances/events/${eventId}`)).body.id).toBe(eventId);

    expect((await api('GET', `/instances/${instance.id}/events`, undefined, OTHER_AUTH)).status).toBe(404);
    expect((await api('GET', `/instances/events/${eventId}`, undefined, OTHER_AUTH)).status).toBe(404);
    expect((await api('PUT', `/instances/${instance.id}/events/redeliver`, {}, OTHER_AUTH)).status).toBe(404);
    expect(
      (await api('GET', `/instances/${instance.id}/events`, undefined, 'User x, Organization y')).status,
    ).toBe(401);
    const bogus = await api<{ code: string; errors: { path: string }[] }>(
      'GET',
      `/instances/${instance.id}/events?status=BOGUS`,
    );
    expect({ status: bogus.status, code: bogus.body.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(bogus.body.errors.map((error) => error.path)).toEqual(['status.0']);
  });

  it('an endpoint down for a while receives everything once it recovers; duplicates only under the same webhook-id', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    sink.fail({ status: 503, durationMs: 1500, headers: { 'retry-after': '0' } });
    const events = Array.from({ length: 30 }, () =>
      standardEvent(instance, ['contacts', 'companies', 'opportunities'][Math.floor(Math.random() * 3)]),
    );
    await kafka.publishEvents(events);
    const byObjectId = new Map(events.map((event) => [event.objectId, event.eventId]));
    const accepted = () => sink.received({ accepted: true });
    await waitFor(
      () => new Set(accepted().flatMap((request) => eventIdsOf(request, byObjectId))).size === 30,
      {
        what: 'all 30 events accepted after the outage',
        timeoutMs: 60_000,
      },
    );
    expect(sink.received({ accepted: false }).length).toBeGreaterThan(0);
    // Each event travelled in exactly one notification (one webhook-id), however often it was attempted.
    const webhookIdsOfEvent = new Map<string, Set<string>>();
    for (const request of sink.received()) {
      expect(request.headers['webhook-id']).toBe(bodyOf(request).message.eventId);
      for (const eventId of eventIdsOf(request, byObjectId)) {
        const ids = webhookIdsOfEvent.get(eventId) ?? new Set<string>();
        ids.add(request.headers['webhook-id'] ?? '');
        webhookIdsOfEvent.set(eventId, ids);
      }
    }
    expect([...webhookIdsOfEvent.values()].every((ids) => ids.size === 1)).toBe(true);
    await waitFor(async () => (await eventsOf(instance.id, '&status=NOTIFIED')).length === 30, {
      what: 'API shows 30 NOTIFIED',
    });
  });

  it('an endpoint that sleeps 15 s does not slow another endpoint’s deliveries', async () => {
    const slowSink = await newSink();
    const fastSink = await newSink();
    const slow = await addInstance(slowSink);
    const fast = await addInstance(fastSink);
    slowSink.fail({ delayMs: 15_000 });
    await kafka.publishEvents(
      ['contacts', 'companies', 'opportunities', 'addressbook-entries'].flatMap((resource) =>
        Array.from({ length: 25 }, () => standardEvent(slow, resource)),
      ),
    );
    await slowSink.waitForRequests(4, {}, 10_000); // the slow endpoint now holds its connections
    const started = Date.now();
    const fastEvents = Array.from({ length: 20 }, () => standardEvent(fast));
    await kafka.publishEvents(fastEvents);
    await waitFor(
      () =>
        fastSink.received({ accepted: true }).flatMap((request) => bodyOf(request).message.events).length >=
        20,
      { what: 'the fast endpoint’s 20 events', timeoutMs: 10_000 },
    );
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeLessThan(5000);
    // The slow one never had more than its per-endpoint share in flight.
    expect(slowSink.received().length).toBeLessThanOrEqual(4);
    slowSink.clearFaults();
  });

  it('410 Gone disables the instance’s events; later events are not sent', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    sink.fail({ status: 410 });
    const first = standardEvent(instance);
    await kafka.publishEvents([first]);
    await waitFor(() => instanceService.disabled.some((entry) => entry.instanceId === instance.id), {
      what: 'disable call',
    });
    expect(instanceService.disabled.find((entry) => entry.instanceId === instance.id)?.reason).toMatch(/410/);
    await waitFor(async () => (await eventsOf(instance.id, '&status=FAILED')).length === 1, {
      what: 'FAILED event',
    });
    await kafka.publishEvents([standardEvent(instance)]);
    await waitFor(async () => (await eventsOf(instance.id, '&status=FAILED')).length === 2, {
      what: 'second FAILED',
    });
    expect(sink.received()).toHaveLength(1);
    const detail = await api<EventDetailView>('GET', `/instances/${instance.id}/events/${first.eventId}`);
    expect(detail.body.deliveryAttempts[0]).toMatchObject({ statusCode: 410 });
  });

  it('exhausted retries queue the notification and deactivate the subscription; redelivery and replay send them', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    sink.fail({ status: 500 });
    const events = Array.from({ length: 3 }, () => standardEvent(instance));
    await kafka.publishEvents(events);
    await waitFor(async () => (await eventsOf(instance.id, '&status=QUEUED')).length === 3, {
      what: 'queued after the last retry',
      timeoutMs: 60_000,
    });
    const failedAttempts = sink.received().length;
    // The three events may have arrived in one Kafka fetch or two: one notification each time.
    const attemptsPerWebhookId = new Map<string, number>();
    for (const request of sink.received()) {
      const id = request.headers['webhook-id'] ?? '';
      attemptsPerWebhookId.set(id, (attemptsPerWebhookId.get(id) ?? 0) + 1);
    }
    expect([...attemptsPerWebhookId.values()].every((count) => count <= 11)).toBe(true);
    const originalWebhookId = sink.received()[0]?.headers['webhook-id'];
    const detail = await api<EventDetailView>(
      'GET',
      `/instances/${instance.id}/events/${events[0]?.eventId ?? ''}`,
    );
    // 11 when its own retries ran out; fewer when another notification of the instance ran out first.
    expect(detail.body.deliveryAttempts.length).toBeGreaterThanOrEqual(1);
    expect(detail.body.deliveryAttempts.length).toBeLessThanOrEqual(11);
    expect(Math.max(...attemptsPerWebhookId.values())).toBeGreaterThanOrEqual(2);

    // While deactivated, new events queue without a request.
    const later = Array.from({ length: 2 }, () => standardEvent(instance));
    await kafka.publishEvents(later);
    await waitFor(async () => (await eventsOf(instance.id, '&status=QUEUED')).length === 5, {
      what: '5 queued',
    });
    expect(sink.received()).toHaveLength(failedAttempts);

    sink.clearFaults();
    const redelivered = await api<RedeliverResult>('PUT', `/instances/${instance.id}/events/redeliver`);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body.subscriptionReactivated).toBe(true);
    expect(redelivered.body.requeuedNotifications).toBeGreaterThanOrEqual(2);
    await waitFor(async () => (await eventsOf(instance.id, '&status=NOTIFIED')).length === 5, {
      what: '5 delivered',
    });
    const accepted = sink.received({ accepted: true });
    expect(accepted.map((request) => request.headers['webhook-id'])).toContain(originalWebhookId);

    // Replay by id: a new notification (new webhook-id) carrying the event again.
    const replay = await api<RedeliverResult>('PUT', `/instances/${instance.id}/events/redeliver`, {
      eventIds: [events[0]?.eventId],
    });
    expect(replay.body).toMatchObject({ replayedEvents: 1, replayNotifications: 1 });
    await waitFor(() => sink.received({ accepted: true }).length === accepted.length + 1, {
      what: 'the replay',
    });
    const replayed = sink.received({ accepted: true }).at(-1);
    expect(replayed?.headers['webhook-id']).not.toBe(originalWebhookId);
    expect(bodyOf(replayed as ReceivedRequest).message.events[0]?.objectId).toBe(events[0]?.objectId);
  });

  it('exposes delivery metrics', async () => {
    const text = await (await fetch(`${dispatcher.url}/metrics`)).text();
    expect(text).toMatch(/pollcast_dispatcher_deliveries_total\{[^}]*outcome="delivered"/);
    expect(text).toMatch(/pollcast_dispatcher_attempt_duration_seconds_bucket/);
    expect(text).toMatch(/pollcast_dispatcher_retry_queue_depth/);
    expect(text).toMatch(/pollcast_dispatcher_oldest_pending_age_seconds/);
    expect(text).toMatch(/pollcast_dispatcher_parked_notifications\{[^}]*\} \d+/);
    // Earlier tests delivered notifications: their latency from event time, and the groups' lag.
    expect(text).toMatch(/pollcast_dispatcher_delivery_latency_seconds_count\{[^}]*\} [1-9]/);
    expect(text).toMatch(/pollcast_dispatcher_circuits_open\{[^}]*\} \d+/);
    expect(text).toMatch(
      /pollcast_consumer_lag_messages\{group="[^"]*pollcast-dispatcher-events",[^}]*\} \d+/,
    );
  });

  it('prunes delivered history past its retention; the events API no longer lists it', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    const event = standardEvent(instance, 'contacts');
    await kafka.publishEvents([event]);
    await waitFor(async () => (await eventsOf(instance.id)).some((view) => view.status === 'NOTIFIED'), {
      what: 'the event delivered',
    });
    const job = dispatcher.app.get(PruneHistoryJob);
    // Nothing is old enough yet.
    await job.pruneNow();
    expect(await eventsOf(instance.id)).toHaveLength(1);
    const pruned = await job.pruneNow(new Date(Date.now() + 31 * 86_400_000));
    expect(pruned.notifications).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(instance.id)).toEqual([]);
  });
  it('charts an instance: events per minute by type, attempts by outcome, event-time-to-2xx latency', async () => {
    const sink = await newSink();
    const instance = await addInstance(sink);
    const eventTime = new Date(Date.now() - 5000).toISOString();
    const events = [
      standardEvent(instance, 'contacts', { eventType: 'CREATED', date: eventTime }),
      standardEvent(instance, 'contacts', { date: eventTime }),
      standardEvent(instance, 'contacts', { date: eventTime }),
    ];
    await kafka.publishEvents(events);
    await waitFor(async () => (await eventsOf(instance.id, '&status=NOTIFIED')).length === 3, {
      what: 'NOTIFIED',
    });

    const stats = await api<DeliveryStatsView>('GET', `/instances/${instance.id}/delivery-stats`);
    expect(stats.status).toBe(200);
    const body = stats.body;
    expect(body.bucketSeconds).toBe(60);
    expect(body.bucketStarts).toHaveLength(24 * 60);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3_600_000);
    expect(body.totals.eventsByType).toEqual({ CREATED: 1, UPDATED: 2 });
    expect(body.totals.attemptsByOutcome).toEqual({ delivered: expect.any(Number) });
    expect(body.totals.deliveredEvents).toBe(3);
    // Event time was 5 s before publishing: the latency is at least that, and the series agree.
    expect(body.totals.latencyMs.p50).toBeGreaterThanOrEqual(5000);
    expect(body.totals.latencyMs.p99).toBeGreaterThanOrEqual(body.totals.latencyMs.p50 ?? 0);
    const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
    expect(sum(body.eventsByType['UPDATED'])).toBe(2);
    expect(sum(body.attemptsByOutcome['delivered'])).toBe(body.totals.attemptsByOutcome['delivered']);
    expect(body.latencyMs.p50.filter((value) => value !== null).length).toBeGreaterThanOrEqual(1);
    expect(body.eventsByType['CREATED']).toHaveLength(24 * 60);

    const hourly = await api<DeliveryStatsView>(
      'GET',
      `/instances/${instance.id}/delivery-stats?hours=2&bucketMinutes=60`,
    );
    expect(hourly.body.bucketStarts).toHaveLength(2);
    expect(hourly.body.totals.eventsByType).toEqual({ CREATED: 1, UPDATED: 2 });

    for (const query of ['hours=0', 'hours=49', 'bucketMinutes=1.5', 'hours=1&hours=2']) {
      const bad = await api<{ code: string; errors: { path: string }[] }>(
        'GET',
        `/instances/${instance.id}/delivery-stats?${query}`,
      );
      expect({ query, status: bad.status, code: bad.body.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(bad.body.errors.map((error) => error.path)).toEqual([
        query.startsWith('hours') ? 'hours' : 'bucketMinutes',
      ]);
    }
    expect((await api('GET', `/instances/${instance.id}/delivery-stats`, undefined, OTHER_AUTH)).status).toBe(
      404,
    );
  });
});
