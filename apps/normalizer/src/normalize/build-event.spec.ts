import { standardEventSchema, type RawChange } from '@pollcast/contracts';
import { buildEvent, eventMessage } from './build-event';

const change: RawChange = {
  instanceId: 'inst-1',
  organizationId: 'org-1',
  elementKey: 'maximizer',
  resource: 'contacts',
  objectId: 'a',
  record: { Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z' },
  pollId: 'poll-1',
  window: { from: '2024-01-15T10:00:00Z', to: '2024-01-15T10:05:00Z' },
  polledAt: '2024-01-15T10:05:01Z',
  page: 0,
  createdCheckTolerance: 10,
  filterByUpdatedDate: true,
};

describe('buildEvent / eventMessage', () => {
  const dateMs = Date.parse('2024-01-15T10:01:00Z');

  it('builds a schema-valid Debezium-style event', () => {
    const event = buildEvent(
      change,
      { eventType: 'CREATED', eventId: 'id-1', dateMs, dateError: undefined },
      5,
    );
    expect(standardEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      op: 'c',
      objectType: 'contacts',
      date: '2024-01-15T10:01:00.000Z',
      raw: change.record,
      source: { ts_ms: dateMs, window: change.window, element: 'maximizer' },
      ts_ms: 5,
    });
    expect('dateError' in event).toBe(false);
  });

  it('carries the CloudEvents binary-mode headers and the correlation id', () => {
    const event = buildEvent(
      change,
      { eventType: 'UPDATED', eventId: 'id-2', dateMs, dateError: 'LastModifyDate: bad' },
      5,
    );
    expect(event.op).toBe('u');
    expect(event.dateError).toBe('LastModifyDate: bad');
    expect(eventMessage(event)).toEqual({
      key: 'inst-1/contacts/a',
      value: event,
      headers: {
        ce_specversion: '1.0',
        ce_id: 'id-2',
        ce_source: '/instances/inst-1',
        ce_type: 'pollcast.contacts.updated',
        ce_time: '2024-01-15T10:01:00.000Z',
        ce_subject: 'a',
        'content-type': 'application/json',
        'pollcast-correlation-id': 'poll-1',
      },
    });
  });
});
