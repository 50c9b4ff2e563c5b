import type { RawChange } from '@pollcast/contracts';
import { contentHash } from './canonical-json';
import { decide, freshness, prepareChange, type Decision, type RememberedState } from './decide';
import { eventId } from './event-id';

const ISO = "yyyy-MM-dd'T'HH:mm:ssXXX";

function rawChange(record: Record<string, unknown>, overrides: Partial<RawChange> = {}): RawChange {
  return {
    instanceId: 'inst-1',
    organizationId: 'org-1',
    elementKey: 'maximizer',
    resource: 'contacts',
    objectId: typeof record['Key'] === 'string' ? record['Key'] : 'k1',
    record,
    pollId: 'poll-1',
    window: { from: '2024-01-15T10:00:00Z', to: '2024-01-15T10:05:00Z' },
    polledAt: '2024-01-15T10:05:01Z',
    page: 0,
    updated: { field: 'LastModifyDate', format: ISO, zone: 'GMT' },
    createdCheckTolerance: 10,
    filterByUpdatedDate: true,
    ...overrides,
  };
}

const withCreated = { created: { field: 'CreationDate', format: ISO, zone: 'GMT' } };

function emitted(decision: Decision): Extract<Decision, { kind: 'emit' }> {
  if (decision.kind !== 'emit') throw new Error(`expected an event, got ${decision.reason}`);
  return decision;
}

const run = (change: RawChange, remembered?: RememberedState) => decide(prepareChange(change), remembered);

describe('classification', () => {
  it('created == updated within the tolerance is CREATED, beyond it UPDATED', () => {
    const at = (created: string) =>
      run(
        rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z', CreationDate: created }, withCreated),
      );
    expect(emitted(at('2024-01-15T10:01:00Z')).eventType).toBe('CREATED');
    expect(emitted(at('2024-01-15T10:00:50Z')).eventType).toBe('CREATED'); // exactly 10 s
    expect(emitted(at('2024-01-15T10:00:49Z')).eventType).toBe('UPDATED'); // 11 s
    expect(emitted(at('2024-01-15T10:01:30Z')).eventType).toBe('CREATED'); // created after updated
  });

  it('compares instants, not texts: zones of both fields are applied', () => {
    const change = rawChange(
      { Key: 'a', LastModifyDate: '2024-01-15 05:01:00', CreationDate: '2024-01-15T10:01:05Z' },
      {
        updated: { field: 'LastModifyDate', format: 'yyyy-MM-dd HH:mm:ss', zone: 'America/Toronto' },
        ...withCreated,
      },
    );
    expect(emitted(run(change))).toMatchObject({
      eventType: 'CREATED',
      dateMs: Date.parse('2024-01-15T10:01:00Z'),
    });
  });

  it('without a created field: never seen → CREATED, seen → UPDATED', () => {
    const change = rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z' });
    expect(emitted(run(change)).eventType).toBe('CREATED');
    const remembered = { updatedMs: Date.parse('2024-01-15T09:00:00Z'), contentHash: 'x' };
    expect(emitted(run(change, remembered)).eventType).toBe('UPDATED');
  });

  it('an unreadable date is still an event: UPDATED with the error', () => {
    const decision = emitted(run(rawChange({ Key: 'a', LastModifyDate: 'soon' }, withCreated)));
    expect(decision.eventType).toBe('UPDATED');
    expect(decision.dateError).toMatch(/LastModifyDate: .*soon/);
    expect(decision.dateError).toMatch(/CreationDate: /);
    expect(decision.dateMs).toBe(Date.parse('2024-01-15T10:05:01Z')); // polled-at
  });
});

describe('window start', () => {
  it('an updated date not after window.from is not an event', () => {
    expect(run(rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:00:00Z' }))).toEqual({
      kind: 'suppress',
      reason: 'before_window',
    });
    expect(run(rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:00:01Z' })).kind).toBe('emit');
  });

  it('filterByUpdatedDate=false filters on the created date', () => {
    const options = { ...withCreated, filterByUpdatedDate: false };
    const oldButEdited = rawChange(
      { Key: 'a', LastModifyDate: '2024-01-15T10:02:00Z', CreationDate: '2024-01-01T00:00:00Z' },
      options,
    );
    expect(run(oldButEdited)).toEqual({ kind: 'suppress', reason: 'before_window' });
    const fresh = rawChange(
      { Key: 'a', LastModifyDate: '2024-01-15T10:02:00Z', CreationDate: '2024-01-15T10:02:00Z' },
      options,
    );
    expect(emitted(run(fresh)).eventType).toBe('CREATED');
  });

  it('an unreadable filter date does not filter', () => {
    expect(run(rawChange({ Key: 'a', LastModifyDate: 42 })).kind).toBe('emit');
  });
});

describe('dedupe and ids', () => {
  const record = { Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z', Name: 'x' };
  const first = emitted(run(rawChange(record)));

  it('an unchanged re-read (overlap, redelivery) emits nothing', () => {
    expect(run(rawChange({ ...record }, { pollId: 'poll-2' }), first.nextState)).toEqual({
      kind: 'suppress',
      reason: 'duplicate',
    });
  });

  it('an older updated date emits nothing', () => {
    const older = rawChange({ ...record, LastModifyDate: '2024-01-15T10:00:30Z', Name: 'old' });
    expect(run(older, first.nextState)).toEqual({ kind: 'suppress', reason: 'stale' });
  });

  it('a later updated date is a new event with the date-only id', () => {
    const later = emitted(
      run(rawChange({ ...record, LastModifyDate: '2024-01-15T10:03:00Z' }), first.nextState),
    );
    expect(later.eventId).toBe(
      eventId({
        instanceId: 'inst-1',
        resource: 'contacts',
        objectId: 'a',
        updatedMs: Date.parse('2024-01-15T10:03:00Z'),
        contentHash: null,
      }),
    );
    expect(later.eventId).not.toBe(first.eventId);
  });

  it('the same updated date with other content is a new event whose id includes the content hash', () => {
    const edited = { ...record, Name: 'y' };
    const second = emitted(run(rawChange(edited), first.nextState));
    expect(second.eventType).toBe('UPDATED');
    expect(second.eventId).not.toBe(first.eventId);
    expect(second.eventId).toBe(
      eventId({
        instanceId: 'inst-1',
        resource: 'contacts',
        objectId: 'a',
        updatedMs: Date.parse('2024-01-15T10:01:00Z'),
        contentHash: contentHash(edited),
      }),
    );
    // Reprocessing against the same remembered state gives the same id.
    expect(emitted(run(rawChange(edited), first.nextState)).eventId).toBe(second.eventId);
  });

  it('without an updated date dedupes on content and keys the id by content', () => {
    const noDate = rawChange({ Key: 'a', Name: 'x' }, { updated: undefined });
    const one = emitted(run(noDate));
    expect(one.nextState).toMatchObject({
      updatedMs: null,
      contentHash: contentHash({ Key: 'a', Name: 'x' }),
    });
    expect(run(noDate, one.nextState)).toEqual({ kind: 'suppress', reason: 'duplicate' });
    const changed = emitted(run(rawChange({ Key: 'a', Name: 'z' }, { updated: undefined }), one.nextState));
    expect(changed.eventType).toBe('UPDATED');
    expect(changed.eventId).not.toBe(one.eventId);
  });

  it('an unreadable date keeps the last known updated date so older re-reads stay suppressed', () => {
    const broken = emitted(run(rawChange({ ...record, LastModifyDate: 'garbled' }), first.nextState));
    expect(broken.nextState.updatedMs).toBe(first.nextState.updatedMs);
    const older = rawChange({ ...record, LastModifyDate: '2024-01-15T10:00:30Z' });
    expect(run(older, broken.nextState)).toEqual({ kind: 'suppress', reason: 'stale' });
  });
});

describe('freshness', () => {
  it('covers every comparison', () => {
    const state = { updatedMs: 1000, contentHash: 'h' };
    expect(freshness(undefined, 1, 'h')).toBe('first');
    expect(freshness(state, 999, 'x')).toBe('stale');
    expect(freshness(state, 1001, 'h')).toBe('newer');
    expect(freshness(state, 1000, 'h')).toBe('duplicate');
    expect(freshness(state, 1000, 'x')).toBe('same_date_new_content');
    expect(freshness(state, null, 'x')).toBe('content_changed');
    expect(freshness({ updatedMs: null, contentHash: 'h' }, 5, 'h')).toBe('duplicate');
  });
});

describe('deletions', () => {
  const deletion = (overrides: Partial<RawChange> = {}) =>
    rawChange({}, { objectId: 'a', deleted: true, pollId: 'reconcile-1', ...overrides });
  const seen = emitted(run(rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z' })));
  const known: RememberedState = { ...seen.nextState };

  it('a reconciliation deletion of a known object is DELETED, dated when it was noticed, and tombstones it', () => {
    const decision = emitted(run(deletion(), known));
    expect(decision).toMatchObject({
      eventType: 'DELETED',
      dateMs: Date.parse('2024-01-15T10:05:01Z'),
      dateError: undefined,
      nextState: { deleted: true, updatedMs: known.updatedMs, contentHash: known.contentHash },
    });
    expect(decision.nextState.lastEventId).toBe(decision.eventId);
  });

  it('the DELETED id depends on what was deleted, not on which reconciliation or replica noticed it', () => {
    const first = emitted(run(deletion(), known));
    const again = emitted(run(deletion({ pollId: 'reconcile-2', polledAt: '2024-01-16T00:00:00Z' }), known));
    expect(again.eventId).toBe(first.eventId);
    expect(first.eventId).not.toBe(seen.eventId);
    expect(emitted(run(deletion())).eventId).not.toBe(first.eventId); // an object never seen here
  });

  it('a second report of the same deletion meets the tombstone: duplicate', () => {
    const tombstone = emitted(run(deletion(), known)).nextState;
    expect(run(deletion(), tombstone)).toEqual({ kind: 'suppress', reason: 'duplicate' });
  });

  it('a record seen again after its deletion is CREATED again, with a new id; a late read of the deleted version is stale', () => {
    const tombstone = emitted(run(deletion(), known)).nextState;
    expect(run(rawChange({ Key: 'a', LastModifyDate: '2024-01-15T10:01:00Z' }), tombstone)).toEqual({
      kind: 'suppress',
      reason: 'stale',
    });
    const recreated = emitted(
      run(
        rawChange(
          { Key: 'a', LastModifyDate: '2024-01-15T10:03:00Z', CreationDate: '2024-01-01T00:00:00Z' },
          withCreated,
        ),
        tombstone,
      ),
    );
    expect(recreated.eventType).toBe('CREATED'); // dates alone would say UPDATED
    expect(recreated.nextState.deleted).toBe(false);
    expect(recreated.eventId).not.toBe(seen.eventId);
    // …and deleted once more: a new DELETED, not the first one again.
    const deletedAgain = emitted(run(deletion(), recreated.nextState));
    expect(deletedAgain.eventId).not.toBe(emitted(run(deletion(), known)).eventId);
  });

  it('flag mode: a record whose field equals the value is DELETED, with its record; others are not', () => {
    const deletedFlag = { field: 'Status.Deleted', value: true };
    const flagged = run(
      rawChange(
        { Key: 'a', LastModifyDate: '2024-01-15T10:02:00Z', Status: { Deleted: true } },
        { deletedFlag },
      ),
      known,
    );
    expect(emitted(flagged)).toMatchObject({
      eventType: 'DELETED',
      dateMs: Date.parse('2024-01-15T10:02:00Z'),
    });
    const notFlagged = run(
      rawChange(
        { Key: 'a', LastModifyDate: '2024-01-15T10:02:00Z', Status: { Deleted: 'true' } },
        { deletedFlag },
      ),
      known,
    );
    expect(emitted(notFlagged).eventType).toBe('UPDATED');
    // The flagged record re-read (overlap) is a duplicate of its deletion.
    expect(
      run(
        rawChange(
          { Key: 'a', LastModifyDate: '2024-01-15T10:02:00Z', Status: { Deleted: true } },
          { deletedFlag },
        ),
        emitted(flagged).nextState,
      ),
    ).toEqual({ kind: 'suppress', reason: 'duplicate' });
  });
});
