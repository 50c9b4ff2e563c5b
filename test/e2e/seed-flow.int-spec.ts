import { Webhook } from 'standardwebhooks';
import { topicName } from '@pollcast/contracts';
import { seedCurlBody, seedTemplateBody, waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import {
  authorizeAtSimulator,
  elementsSignature,
  eventsOf,
  SIM_CLIENT,
  Simulator,
  sinkRequests,
  TopicReader,
  type DeliveredEvent,
} from '../support/e2e-helpers';

const SIGNATURE_KEY = 'e2e-signing-key-0123456789';

function signature(
  event: Pick<DeliveredEvent, 'instanceId' | 'objectType' | 'objectId' | 'eventType'>,
): string {
  return `${event.instanceId} ${event.objectType} ${event.objectId} ${event.eventType}`;
}

describe('end to end: the seed request bodies, polled, normalized and delivered', () => {
  let platform: RunningPlatform;
  let sim: Simulator;
  let reader: TopicReader;

  beforeAll(async () => {
    platform = await startPlatform({ replicas: { 'poller-service': 2, normalizer: 2, dispatcher: 2 } });
    sim = new Simulator(platform.simUrl);
    reader = new TopicReader(topicName('events', platform.topicPrefix));
  }, 240000);

  afterAll(async () => {
    await reader?.stop();
    await platform?.stop();
  });

  async function createInstance(body: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const response = await fetch(`${platform.instanceServiceUrl}/elements/api-v2/instances`, {
      method: 'POST',
      headers: { authorization: platform.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = (await response.json()) as { id: string | number; token: string };
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`POST /instances → ${response.status}: ${JSON.stringify(created)}`);
    }
    return { id: String(created.id), token: created.token };
  }

  it('delivers exactly the expected events, signed, to each callback and to the topic; nothing doubles with two replicas', async () => {
    // History before the instances exist is not an event (first poll starts at creation time).
    const oldCompany = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Before Ltd' });
    await new Promise((resolve) => setTimeout(resolve, 4000)); // past the poller's overlap

    const one = await createInstance(
      seedTemplateBody({
        code: await authorizeAtSimulator(platform.simUrl, 'https://mycoolapp.com/oauth/callback'),
        oauthCallbackUrl: 'https://mycoolapp.com/oauth/callback',
        apiKey: SIM_CLIENT.id,
        apiSecret: SIM_CLIENT.secret,
        callbackUrl: `${platform.sinkUrl}/hooks/one`,
        signatureKey: SIGNATURE_KEY,
        refreshInterval: '2',
      }),
    );
    const two = await createInstance(
      seedCurlBody({
        code: await authorizeAtSimulator(platform.simUrl, 'https://mycoolapp.com'),
        apiKey: SIM_CLIENT.id,
        apiSecret: SIM_CLIENT.secret,
        callbackUrl: `${platform.sinkUrl}/hooks/two`,
        refreshInterval: '2',
      }),
    );
    await reader.start();
    // Let each instance's first poll happen before the changes.
    await new Promise((resolve) => setTimeout(resolve, 5000));

    // Creations.
    const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Acme' });
    const alice = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Alice',
      LastName: 'A',
      ParentKey: company.Key,
    });
    const bob = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Bob',
      LastName: 'B',
      ParentKey: company.Key,
    });
    const deal = await sim.create('Opportunity', {
      Objective: 'Big deal',
      Status: 'Open',
      Revenue: 1000,
      AbEntryKey: company.Key,
    });
    const created = [
      { instanceId: one.id, objectType: 'companies', objectId: company.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'contacts', objectId: alice.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'contacts', objectId: bob.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'addressbook-entries', objectId: company.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'addressbook-entries', objectId: alice.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'addressbook-entries', objectId: bob.Key, eventType: 'CREATED' },
      { instanceId: one.id, objectType: 'opportunities', objectId: deal.Key, eventType: 'CREATED' },
      { instanceId: two.id, objectType: 'contacts', objectId: alice.Key, eventType: 'CREATED' },
      { instanceId: two.id, objectType: 'contacts', objectId: bob.Key, eventType: 'CREATED' },
    ].map(signature);

    const delivered = async () => [
      ...eventsOf(await sinkRequests(platform.sinkUrl, '/hooks/one')),
      ...eventsOf(await sinkRequests(platform.sinkUrl, '/hooks/two')),
    ];
    await waitFor(async () => new Set((await delivered()).map(signature)).size >= created.length, {
      what: 'the creations at the sink',
      timeoutMs: 60000,
      intervalMs: 500,
    });
    expect(new Set((await delivered()).map(signature))).toEqual(new Set(created));

    // Updates, later than the created-check tolerance (10 s) so resources with a created field see UPDATED;
    // a deletion, which polling cannot see, yields nothing.
    await sim.advanceClock(30);
    await sim.update('AbEntry', alice.Key, { Email: 'alice@example.com' });
    await sim.update('AbEntry', company.Key, { City: 'Toronto' });
    await sim.update('Opportunity', deal.Key, { Status: 'Won' });
    await sim.delete('AbEntry', bob.Key);
    const updated = [
      { instanceId: one.id, objectType: 'contacts', objectId: alice.Key, eventType: 'UPDATED' },
      { instanceId: one.id, objectType: 'companies', objectId: company.Key, eventType: 'UPDATED' },
      { instanceId: one.id, objectType: 'addressbook-entries', objectId: alice.Key, eventType: 'UPDATED' },
      { instanceId: one.id, objectType: 'addressbook-entries', objectId: company.Key, eventType: 'UPDATED' },
      { instanceId: one.id, objectType: 'opportunities', objectId: deal.Key, eventType: 'UPDATED' },
      { instanceId: two.id, objectType: 'contacts', objectId: alice.Key, eventType: 'UPDATED' },
    ].map(signature);
    const expected = new Set([...created, ...updated]);
    await waitFor(async () => new Set((await delivered()).map(signature)).size >= expected.size, {
      what: 'the updates at the sink',
      timeoutMs: 60000,
      intervalMs: 500,
    });
    // A few more polls: nothing else may arrive (no re-read, no deletion, no history).
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const finalEvents = await delivered();
    expect(new Set(finalEvents.map(signature))).toEqual(expected);
    expect(finalEvents.some((event) => event.objectId === oldCompany.Key)).toBe(false);

    // Nothing doubles: a (change) arrives in one notification, or again only under the same webhook-id.
    const byChange = new Map<string, Set<string>>();
    for (const event of finalEvents) {
      const change = `${signature(event)} ${event.date}`;
      byChange.set(change, (byChange.get(change) ?? new Set()).add(event.webhookId));
    }
    expect([...byChange.values()].filter((ids) => ids.size > 1)).toEqual([]);
    expect(byChange.size).toBe(expected.size);

    // Signatures: Open Connectors' header and Standard Webhooks, on every request of the keyed instance.
    const oneRequests = (await sinkRequests(platform.sinkUrl, '/hooks/one')).filter(
      (r) => r.response.status < 300,
    );
    const verifier = new Webhook(`whsec_${Buffer.from(SIGNATURE_KEY).toString('base64')}`);
    for (const request of oneRequests) {
      expect(request.headers['elements-webhook-signature']).toBe(
        elementsSignature(SIGNATURE_KEY, request.body),
      );
      expect(request.headers['elements-webhook-id']).toBeTruthy();
      expect(() => verifier.verify(request.body, request.headers)).not.toThrow();
      expect((request.json as { message: { events: unknown[] } }).message.events.length).toBeLessThanOrEqual(
        10,
      );
    }
    const twoRequests = await sinkRequests(platform.sinkUrl, '/hooks/two');
    expect(twoRequests.every((request) => request.headers['elements-webhook-signature'] === undefined)).toBe(
      true,
    );

    // A plain Kafka consumer sees the same events, each once, with CloudEvents headers.
    await waitFor(() => reader.messages.length >= expected.size, {
      what: 'events on the topic',
      timeoutMs: 30000,
    });
    const onTopic = reader.messages.map(
      (message) =>
        message.value as {
          eventId: string;
          instanceId: string;
          objectType: string;
          objectId: string;
          eventType: string;
        },
    );
    expect(new Set(onTopic.map((event) => signature(event)))).toEqual(expected);
    expect(new Set(onTopic.map((event) => event.eventId)).size).toBe(expected.size);
    for (const message of reader.messages) {
      expect(message.headers.ce_specversion).toBe('1.0');
      expect(message.headers.ce_id).toBe((message.value as { eventId: string }).eventId);
      expect(message.headers.ce_type).toMatch(/^pollcast\.[a-z-]+\.(created|updated)$/);
    }
  }, 300000);
});
