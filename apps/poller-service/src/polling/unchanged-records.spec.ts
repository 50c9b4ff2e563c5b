import type { ResourcePoller } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';
import { UnchangedRecords, type PollMemory } from './unchanged-records';

const config = { url: 'x', pageSize: 100 } as unknown as ResourcePoller;
const unit = { instanceId: '1', resource: 'contacts', config };

function page(records: Array<Record<string, unknown>>): { messages: OutgoingMessage[]; objectIds: string[] } {
  return {
    messages: records.map((record) => ({ key: `1/contacts/${String(record.Key)}`, value: { record } })),
    objectIds: records.map((record) => String(record.Key)),
  };
}

/** One page through the memory as the poll does it: select, (publish), remember. */
function poll(memory: PollMemory, records: Array<Record<string, unknown>>): string[] {
  const { messages, objectIds } = page(records);
  const { publish, fingerprints } = memory.select(messages, objectIds);
  memory.remember(fingerprints);
  return publish.map((message) => message.key);
}

describe('UnchangedRecords', () => {
  const a1 = { Key: 'a', LastModifyDate: '2026-12-01T10:00:00Z', Name: 'Ada' };
  const b1 = { Key: 'b', LastModifyDate: '2026-12-01T10:00:01Z', Name: 'Bob' };
  const c1 = { Key: 'c', LastModifyDate: '2026-12-01T10:00:02Z', Name: 'Cy' };

  it('leaves out records the last completed poll published exactly so; a changed one goes out', () => {
    const records = new UnchangedRecords(100);
    const first = records.begin(unit);
    expect(poll(first, [a1, b1])).toEqual(['1/contacts/a', '1/contacts/b']);
    first.finish(true);

    const second = records.begin(unit);
    const b2 = { ...b1, Name: 'Bobby' }; // same date, other content: published
    expect(poll(second, [a1, b2, c1])).toEqual(['1/contacts/b', '1/contacts/c']);
    // The same record twice in one poll (pages shifted under it) goes out once.
    expect(poll(second, [c1])).toEqual([]);
    second.finish(true);

    // Only what the last window read is kept: `a` is not read by the third, so the fourth sends it.
    const third = records.begin(unit);
    expect(poll(third, [b2, c1])).toEqual([]);
    third.finish(true);
    expect(poll(records.begin(unit), [a1, b2])).toEqual(['1/contacts/a']);
  });

  it('keeps both memories after a failed poll (the next window starts where the failed one did)', () => {
    const records = new UnchangedRecords(100);
    const first = records.begin(unit);
    poll(first, [a1]);
    first.finish(true);
    const failed = records.begin(unit);
    poll(failed, [b1]);
    failed.finish(false);
    expect(poll(records.begin(unit), [a1, b1, c1])).toEqual(['1/contacts/c']);
  });

  it('forgets nothing it did not see acknowledged: a page selected but never remembered is sent again', () => {
    const records = new UnchangedRecords(100);
    const first = records.begin(unit);
    first.select(page([a1]).messages, page([a1]).objectIds); // the publish failed: no remember()
    first.finish(false);
    expect(poll(records.begin(unit), [a1])).toEqual(['1/contacts/a']);
  });

  it('starts over for another configuration of the same resource, and for another instance', () => {
    const records = new UnchangedRecords(100);
    const first = records.begin(unit);
    poll(first, [a1]);
    first.finish(true);
    const reconfigured = { ...unit, config: { ...config, pageSize: 50 } };
    expect(poll(records.begin(reconfigured), [a1])).toEqual(['1/contacts/a']);
    expect(poll(records.begin({ ...unit, instanceId: '2' }), [a1])).toEqual(['1/contacts/a']);
  });

  it('is bounded over all resources, least recently polled first out; 0 turns it off', () => {
    const records = new UnchangedRecords(2);
    for (const instanceId of ['1', '2']) {
      const memory = records.begin({ ...unit, instanceId });
      poll(memory, [a1]);
      memory.finish(true);
    }
    const third = records.begin({ ...unit, instanceId: '3' });
    poll(third, [a1]);
    third.finish(true); // over 2 records: instance 1's memory goes
    expect(poll(records.begin({ ...unit, instanceId: '1' }), [a1])).toEqual(['1/contacts/a']);
    expect(poll(records.begin({ ...unit, instanceId: '3' }), [a1])).toEqual([]);

    // One window larger than the whole memory keeps no more than it could store.
    const small = new UnchangedRecords(2);
    const large = small.begin(unit);
    expect(poll(large, [a1, b1, c1])).toHaveLength(3);
    expect(poll(large, [a1, b1, c1])).toEqual(['1/contacts/c']);

    const off = new UnchangedRecords(0);
    const memory = off.begin(unit);
    poll(memory, [a1]);
    memory.finish(true);
    expect(poll(off.begin(unit), [a1])).toEqual(['1/contacts/a']);
  });
});
