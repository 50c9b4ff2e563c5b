import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { StandardEvent } from '@pollcast/contracts';
import { classifyFailure, openServiceDatabase } from '@pollcast/service-kit';
import { createTestDatabase } from '@pollcast/testing';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from '../database/dispatcher.entities';
import { EventStore, type IncomingEvent } from './event.store';
import { planNotifications } from './notification-body';

function incoming(count: number, instanceId = `inst-${randomUUID()}`): IncomingEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const event: StandardEvent = {
      eventId: randomUUID(),
      eventType: 'CREATED',
      objectId: `obj-${index}`,
      objectType: 'contacts',
      elementKey: 'maximizer',
      instanceId,
      organizationId: 'org',
      date: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
      pollId: 'poll-1',
      raw: { Key: `obj-${index}`, Note: `it's "quoted" \\ and ünïcode` },
      op: 'c',
      source: {
        element: 'maximizer',
        instanceId,
        resource: 'contacts',
        pollId: 'poll-1',
        window: { from: '2026-01-01T00:00:00.000Z' },
        ts_ms: 0,
      },
      ts_ms: 0,
    };
    return { event, correlationId: 'poll-1' };
  });
}

const plan = (events: StandardEvent[]) => planNotifications(events, randomUUID, 10);

describe('EventStore', () => {
  let dataSource: DataSource;
  let other: DataSource;
  let store: EventStore;

  const open = async (url: string, name: string) =>
    openServiceDatabase({
      url,
      schema: 'dispatcher',
      entities: DISPATCHER_ENTITIES,
      migrations: DISPATCHER_MIGRATIONS,
      poolSize: 2,
      applicationName: name,
    });

  beforeAll(async () => {
    const url = await createTestDatabase('dispatcher-event-store');
    dataSource = await open(url, 'event-store-test');
    other = await open(url, 'event-store-test-other');
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await other?.destroy();
    await dataSource?.destroy();
  });

  it('records new events already pointing at their notification, whose body is kept byte for byte', async () => {
    const items = incoming(25);
    const { newEvents, planned } = await store.insertWithNotifications(items, plan);
    expect(newEvents).toHaveLength(25);
    expect(planned).toHaveLength(3);
    const rows: { event_id: string; notification_id: string; event: StandardEvent }[] =
      await dataSource.query(`SELECT event_id, notification_id, event FROM events WHERE instance_id = $1`, [
        items[0]?.event.instanceId,
      ]);
    expect(rows).toHaveLength(25);
    for (const notification of planned) {
      for (const eventId of notification.eventIds) {
        expect(rows.find((row) => row.event_id === eventId)?.notification_id).toBe(notification.id);
      }
    }
    expect(rows.find((row) => row.event_id === items[3]?.event.eventId)?.event).toEqual(items[3]?.event);
    const notifications: {
      id: string;
      body: string;
      event_ids: string[];
      status: string;
      oldest_event_at: Date;
    }[] = await dataSource.query(
      `SELECT id, body, event_ids, status, oldest_event_at FROM notifications WHERE instance_id = $1`,
      [items[0]?.event.instanceId],
    );
    expect(notifications).toHaveLength(3);
    for (const notification of planned) {
      const row = notifications.find((candidate) => candidate.id === notification.id);
      expect(row?.body).toBe(notification.body);
      expect(row?.event_ids).toEqual(notification.eventIds);
      expect(row?.status).toBe('PENDING');
      // The delivery-latency clock starts at the notification's oldest event, kept on the row.
      const dates = items
        .filter(({ event }) => notification.eventIds.includes(event.eventId))
        .map(({ event }) => Date.parse(event.date));
      expect(row?.oldest_event_at.getTime()).toBe(Math.min(...dates));
    }
  });

  it('keeps tabs, newlines, carriage returns and backslashes in any field byte for byte', async () => {
    const [item] = incoming(1);
    if (!item) throw new Error('no event');
    const awkward = 'a\tb\nc\rd\\e\\N \\.\n\\.';
    const event = { ...item.event, objectId: awkward, raw: { Key: awkward, [awkward]: [awkward, 'ü'] } };
    await store.insertWithNotifications([{ event, correlationId: awkward }], plan);
    const [row]: { object_id: string; correlation_id: string; event: unknown }[] = await dataSource.query(
      `SELECT object_id, correlation_id, event FROM events WHERE event_id = $1`,
      [event.eventId],
    );
    expect(row).toEqual({ object_id: awkward, correlation_id: awkward, event });
  });

  it.each([
    ['U+0000 in a record field', { raw: { Key: 'nul', Notes: 'a\u0000b' } }, '22P05'],
    ['a lone surrogate in a record field', { raw: { Key: 'sur', Notes: 'x\uDC00y' } }, '22P02'],
    ['U+0000 in the object id', { objectId: 'a\u0000b' }, '22P05'],
  ])(
    'refuses %s with PostgreSQL’s own error, a deterministic failure, and keeps nothing',
    async (_, change, code) => {
      const [good, bad] = incoming(2);
      if (!good || !bad) throw new Error('no events');
      const poison = { ...bad, event: { ...bad.event, ...change } };
      const failure = await store.insertWithNotifications([good, poison], plan).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code });
      expect(classifyFailure(failure)).toMatchObject({ kind: 'deterministic', code: `pg_${code}` });
      const kept: unknown[] = await dataSource.query(
        `SELECT 1 FROM events WHERE event_id = ANY($1::text[])`,
        [[good.event.eventId, poison.event.eventId]],
      );
      expect(kept).toHaveLength(0);
    },
  );

  it('adds nothing for events recorded before (a redelivered batch)', async () => {
    const items = incoming(5);
    await store.insertWithNotifications(items, plan);
    const again = await store.insertWithNotifications(
      [...items, ...incoming(1, items[0]?.event.instanceId)],
      plan,
    );
    expect(again.newEvents).toHaveLength(1);
    expect(again.planned).toHaveLength(1);
    expect(again.planned[0]?.eventIds).toEqual([again.newEvents[0]?.eventId]);
  });

  it('retries the batch, as a transient failure, when another consumer recorded the same events meanwhile', async () => {
    const items = incoming(4);
    // The other consumer (a rebalance) holds its transaction open with the same events inserted.
    const runner = other.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(
      `INSERT INTO events (event_id, instance_id, organization_id, element_key, resource, object_id, event_type,
         event_date, event) VALUES ($1, $2, 'org', 'maximizer', 'contacts', 'x', 'CREATED', now(), '{}')`,
      [items[0]?.event.eventId, items[0]?.event.instanceId],
    );
    const racing = store.insertWithNotifications(items, plan);
    // Ours waits on the other's uncommitted row; once it commits, ours inserted fewer rows than planned.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runner.commitTransaction();
    await runner.release();
    const failure = await racing.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(classifyFailure(failure)).toMatchObject({
      kind: 'transient',
      code: 'events_recorded_concurrently',
    });
    // Nothing of ours was kept; the retry records the rest once.
    const retry = await store.insertWithNotifications(items, plan);
    expect(retry.newEvents.map((event) => event.eventId).sort()).toEqual(
      items
        .slice(1)
        .map(({ event }) => event.eventId)
        .sort(),
    );
  });
});
