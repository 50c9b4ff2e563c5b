import { createHash } from 'node:crypto';
import { eventId, type EventIdInput } from './event-id';

const base: EventIdInput = {
  instanceId: 'inst-1',
  resource: 'contacts',
  objectId: 'Q29udGFjdAkxCQ==',
  updatedMs: Date.parse('2024-01-15T16:54:00Z'),
  contentHash: null,
};

describe('eventId', () => {
  it('is a UUID version 8 with the RFC 9562 variant', () => {
    expect(eventId(base)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('follows the documented formula exactly', () => {
    const digest = createHash('sha256')
      .update(
        JSON.stringify([
          'pollcast.event.v1',
          'inst-1',
          'contacts',
          'Q29udGFjdAkxCQ==',
          '2024-01-15T16:54:00.000Z',
          null,
        ]),
      )
      .digest('hex');
    const expected = [
      digest.slice(0, 8),
      digest.slice(8, 12),
      `8${digest.slice(13, 16)}`,
      ((parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + digest.slice(18, 20),
      digest.slice(20, 32),
    ].join('-');
    expect(eventId(base)).toBe(expected);
  });

  it('is stable for the same change and differs for any other part', () => {
    const id = eventId(base);
    expect(eventId({ ...base })).toBe(id);
    const others = [
      { ...base, instanceId: 'inst-2' },
      { ...base, resource: 'companies' },
      { ...base, objectId: 'other' },
      { ...base, updatedMs: (base.updatedMs ?? 0) + 1 },
      { ...base, contentHash: 'ab'.repeat(32) },
      { ...base, updatedMs: null, contentHash: 'ab'.repeat(32) },
    ].map(eventId);
    expect(new Set([id, ...others]).size).toBe(7);
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(eventId({ ...base, instanceId: 'a/b', resource: 'c' })).not.toBe(
      eventId({ ...base, instanceId: 'a', resource: 'b/c' }),
    );
  });
});
