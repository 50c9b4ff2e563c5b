import { HEADERS } from '@pollcast/contracts';
import type { ClaimedPoll } from '../schedule/schedule.store';
import { toRawChangeMessages } from './raw-change-messages';

const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-01T00:15:00Z') };

function claimed(config: Partial<ClaimedPoll['config']> = {}): ClaimedPoll {
  return {
    pollId: 'poll-1',
    instanceId: 'i1',
    resource: 'contacts',
    organizationId: 'o1',
    elementKey: 'maximizer',
    elementConfig: {},
    config: {
      resource: 'contacts',
      url: '/hubs/crm/contacts',
      idField: 'Key',
      updated: { field: 'LastModifyDate', format: "yyyy-MM-dd'T'HH:mm:ss'Z'", zone: 'GMT' },
      filterByUpdatedDate: true,
      filterByCurrentDate: true,
      createdCheckTolerance: 10,
      pageSize: 100,
      pollDelay: 0,
      ...config,
    },
    intervalSeconds: 60,
    watermark: window.from,
    scheduledFor: window.from,
    claimedAt: window.to,
    consecutiveFailures: 0,
  };
}

describe('toRawChangeMessages', () => {
  it('keys each record by instance, resource and id, with the poll id as correlation id', () => {
    const { messages, withoutId, afterWindow, sanitized } = toRawChangeMessages(
      claimed(),
      window,
      [{ Key: 'A1', LastModifyDate: '2026-01-01T00:10:00Z' }],
      3,
    );
    expect([withoutId, afterWindow, sanitized]).toEqual([0, 0, 0]);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.key).toBe('i1/contacts/A1');
    expect(messages[0]?.headers).toEqual({ [HEADERS.correlationId]: 'poll-1' });
    expect(messages[0]?.value).toMatchObject({
      objectId: 'A1',
      page: 3,
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
    });
  });

  it('counts what it leaves out (no id, changed after the window) and what it mends (U+0000)', () => {
    const result = toRawChangeMessages(
      claimed(),
      window,
      [
        { LastModifyDate: '2026-01-01T00:10:00Z' },
        { Key: 'late', LastModifyDate: '2026-01-01T00:20:00Z' },
        { Key: 'nul', Name: 'a\u0000b', LastModifyDate: 'unreadable' },
      ],
      0,
    );
    expect(result).toMatchObject({ withoutId: 1, afterWindow: 1, sanitized: 1 });
    expect(result.messages.map((message) => message.key)).toEqual(['i1/contacts/nul']);
  });
});
