import type { RawChange, StandardEvent } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';
import { EventSink } from '../publish/event-sink';
import { ObjectStateStore, stateKey, type ObjectRef, type ObjectStateRow } from '../state/object-state.store';
import type { RememberedState } from './decide';
import { NormalizeRawChanges } from './normalize-raw-changes.use-case';

class MemoryStore extends ObjectStateStore {
  readonly rows = new Map<string, RememberedState>();
  loads = 0;
  saves = 0;
  failNextSave = false;
  constructor(private readonly log: string[]) {
    super();
  }
  async load(refs: ReadonlyArray<ObjectRef>): Promise<Map<string, RememberedState>> {
    this.loads += 1;
    const found = new Map<string, RememberedState>();
    for (const ref of refs) {
      const row = this.rows.get(stateKey(ref));
      if (row) found.set(stateKey(ref), { ...row });
    }
    return found;
  }
  async save(rows: ReadonlyArray<ObjectStateRow>): Promise<number> {
    this.saves += 1;
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('database went away');
    }
    this.log.push(`save ${rows.length}`);
    for (const row of rows)
      this.rows.set(stateKey(row), { updatedMs: row.updatedMs, contentHash: row.contentHash });
    return rows.length;
  }
}

class MemorySink extends EventSink {
  readonly published: OutgoingMessage[] = [];
  constructor(private readonly log: string[]) {
    super();
  }
  async publish(messages: ReadonlyArray<OutgoingMessage>): Promise<void> {
    this.log.push(`publish ${messages.length}`);
    this.published.push(...messages);
  }
}

function rawChange(objectId: string, updated: string, extra: Record<string, unknown> = {}): RawChange {
  return {
    instanceId: 'inst-1',
    organizationId: 'org-1',
    elementKey: 'maximizer',
    resource: 'contacts',
    objectId,
    record: { Key: objectId, LastModifyDate: updated, ...extra },
    pollId: 'poll-1',
    window: { from: '2024-01-15T10:00:00Z', to: '2024-01-15T10:05:00Z' },
    polledAt: '2024-01-15T10:05:01Z',
    page: 0,
    updated: { field: 'LastModifyDate', format: "yyyy-MM-dd'T'HH:mm:ssXXX", zone: 'GMT' },
    createdCheckTolerance: 10,
    filterByUpdatedDate: true,
  };
}

function setup(maxEventBytes = 1_000_000) {
  const log: string[] = [];
  const store = new MemoryStore(log);
  const sink = new MemorySink(log);
  const useCase = new NormalizeRawChanges(store, sink, { maxEventBytes });
  return { log, store, sink, useCase };
}

const items = (...changes: RawChange[]) => changes.map((change, index) => ({ change, message: index }));
const eventOf = (message: OutgoingMessage | undefined) => message?.value as StandardEvent;

describe('NormalizeRawChanges', () => {
  it('reads state once, publishes before it writes state once, and dedupes inside the batch', async () => {
    const { log, store, sink, useCase } = setup();
    const outcome = await useCase.execute(
      items(
        rawChange('a', '2024-01-15T10:01:00Z'),
        rawChange('a', '2024-01-15T10:01:00Z'), // same poll page read twice
        rawChange('a', '2024-01-15T10:02:00Z'),
        rawChange('b', '2024-01-15T09:00:00Z'), // before the window
      ),
    );
    expect(log).toEqual(['publish 2', 'save 1']);
    expect(store.loads).toBe(1);
    expect(outcome.events).toEqual({ CREATED: 1, UPDATED: 1, DELETED: 0 });
    expect(outcome.suppressed).toEqual({ before_window: 1, duplicate: 1, stale: 0 });
    expect(sink.published.map((message) => eventOf(message).eventType)).toEqual(['CREATED', 'UPDATED']);
    // The message body is the serialized event, ready for the producer.
    expect(JSON.parse(sink.published[0]?.rawValue?.toString() ?? '')).toEqual(eventOf(sink.published[0]));
  });

  it('a failed state write after the publish re-emits the same ids on retry, then suppresses', async () => {
    const { store, sink, useCase } = setup();
    const batch = items(rawChange('a', '2024-01-15T10:01:00Z'), rawChange('b', '2024-01-15T10:01:00Z'));
    store.failNextSave = true;
    await expect(useCase.execute(batch)).rejects.toThrow('database went away');
    const firstIds = sink.published.map((message) => eventOf(message).eventId);
    await useCase.execute(batch);
    expect(sink.published.map((message) => eventOf(message).eventId)).toEqual([...firstIds, ...firstIds]);
    const again = await useCase.execute(batch);
    expect(again.suppressed.duplicate).toBe(2);
    expect(sink.published).toHaveLength(4);
  });

  it('rejects a message it can never process without letting it change the state, and goes on', async () => {
    const { sink, useCase } = setup(2048);
    const outcome = await useCase.execute(
      items(
        rawChange('a', '2024-01-15T10:01:00Z', { Notes: 'x'.repeat(4096) }),
        rawChange('a', '2024-01-15T10:02:00Z'),
      ),
    );
    expect(outcome.rejected).toEqual([
      { message: 0, reason: expect.stringMatching(/bytes, above the 2048 limit/) },
    ]);
    // The second read is the first this normalizer accepted for the object: CREATED.
    expect(sink.published.map((message) => eventOf(message).eventType)).toEqual(['CREATED']);
  });

  it('counts unreadable dates and still delivers the record', async () => {
    const { sink, useCase } = setup();
    const outcome = await useCase.execute(items(rawChange('a', 'not a date')));
    expect(outcome.dateParseErrors).toBe(1);
    expect(eventOf(sink.published[0])).toMatchObject({ eventType: 'UPDATED', dateError: expect.any(String) });
  });
});
