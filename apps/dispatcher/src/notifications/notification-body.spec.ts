import type { StandardEvent } from '@pollcast/contracts';
import { notificationBody, planNotifications } from './notification-body';

function event(index: number, overrides: Partial<StandardEvent> = {}): StandardEvent {
  const instanceId = overrides.instanceId ?? 'inst-1';
  const objectType = overrides.objectType ?? 'contacts';
  return {
    eventId: `ev-${instanceId}-${objectType}-${index}`,
    eventType: 'UPDATED',
    objectId: `obj-${index}`,
    objectType,
    elementKey: 'maximizer',
    instanceId,
    organizationId: 'org-1',
    date: '2026-01-15T16:54:00.000Z',
    pollId: 'poll-1',
    raw: { Key: `obj-${index}`, Name: `Record ${index}` },
    op: 'u',
    source: {
      element: 'maximizer',
      instanceId,
      resource: objectType,
      pollId: 'poll-1',
      window: { from: '2026-01-15T16:00:00.000Z' },
      ts_ms: 1768496040000,
    },
    ts_ms: 1768496041000,
    ...overrides,
  };
}

const sequentialIds = () => {
  let next = 0;
  return () => `n${++next}`;
};

describe('notification bodies', () => {
  it('has Open Connectors’ shape: message with eventId, instanceId, elementKey, events and raw by resource', () => {
    const body = notificationBody('n1', [event(1), event(2)]);
    expect(body).toEqual({
      message: {
        eventId: 'n1',
        instanceId: 'inst-1',
        elementKey: 'maximizer',
        events: [
          {
            eventType: 'UPDATED',
            objectId: 'obj-1',
            objectType: 'contacts',
            elementKey: 'maximizer',
            date: '2026-01-15T16:54:00.000Z',
          },
          {
            eventType: 'UPDATED',
            objectId: 'obj-2',
            objectType: 'contacts',
            elementKey: 'maximizer',
            date: '2026-01-15T16:54:00.000Z',
          },
        ],
        raw: {
          instance_id: 'inst-1',
          objectType: 'contacts',
          contacts: [
            { Key: 'obj-1', Name: 'Record 1' },
            { Key: 'obj-2', Name: 'Record 2' },
          ],
        },
      },
    });
  });

  it('groups by instance and resource, keeps arrival order, and cuts at 10 events', () => {
    const events = [
      ...Array.from({ length: 23 }, (_, i) => event(i)),
      event(100, { objectType: 'companies' }),
      event(200, { instanceId: 'inst-2' }),
    ];
    const planned = planNotifications(events, sequentialIds());
    expect(
      planned.map((notification) => [
        notification.instanceId,
        notification.resource,
        notification.eventIds.length,
      ]),
    ).toEqual([
      ['inst-1', 'contacts', 10],
      ['inst-1', 'contacts', 10],
      ['inst-1', 'contacts', 3],
      ['inst-1', 'companies', 1],
      ['inst-2', 'contacts', 1],
    ]);
    expect(planned[0]?.eventIds[0]).toBe('ev-inst-1-contacts-0');
    expect(planned[2]?.eventIds).toEqual([
      'ev-inst-1-contacts-20',
      'ev-inst-1-contacts-21',
      'ev-inst-1-contacts-22',
    ]);
  });

  it('stores the exact body, whose eventId is the notification id', () => {
    const [first] = planNotifications([event(1)], () => 'fixed-id');
    const parsed = JSON.parse(first?.body ?? '') as { message: { eventId: string } };
    expect(parsed.message.eventId).toBe('fixed-id');
    expect(first?.id).toBe('fixed-id');
  });

  it('plans nothing for no events and honours a smaller limit', () => {
    expect(planNotifications([], sequentialIds())).toEqual([]);
    expect(
      planNotifications([event(1), event(2), event(3)], sequentialIds(), 2).map((n) => n.eventIds.length),
    ).toEqual([2, 1]);
  });
});
