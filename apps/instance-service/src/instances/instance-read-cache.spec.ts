import { approximateBytes, InstanceRowCache, parseChange } from './instance-read-cache';
import type { InstanceRecord } from './instance.store';

const row = (id: string, name: string, configBytes = 100): InstanceRecord =>
  ({
    id,
    name,
    tags: [],
    tokenCiphertext: 'v1.k1.x',
    configCiphertext: 'c'.repeat(configBytes),
  }) as unknown as InstanceRecord;

/** A load the test finishes when it chooses, to put a change in the middle of a read. */
function pendingLoad(result: InstanceRecord | undefined) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const load = jest.fn(async () => {
    await done;
    return result;
  });
  return { load, finish };
}

describe('parseChange', () => {
  it.each([
    ['instance:U:42', { kind: 'row', id: '42', deleted: false }],
    ['instance:I:7', { kind: 'row', id: '7', deleted: false }],
    ['instance:D:9223372036854775807', { kind: 'row', id: '9223372036854775807', deleted: true }],
    ['instance:*', { kind: 'all' }],
    ['other_schema:U:42', { kind: 'other' }],
    ['other_schema:*', { kind: 'other' }],
  ])('%s', (payload, expected) => {
    expect(parseChange(payload, 'instance')).toEqual(expected);
  });

  it.each([
    '',
    'instance',
    'instance:U:',
    'instance:X:1',
    'instance:U:01',
    'instance:U:1:2',
    'instance:U:12345678901234567890',
    `${'s'.repeat(64)}:U:1`,
  ])('forgets everything for a payload it does not know: %j', (payload) => {
    expect(parseChange(payload, 'instance')).toEqual({ kind: 'all' });
  });
});

describe('InstanceRowCache', () => {
  it('goes to the database until notifications are known to arrive', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    const load = jest.fn(async () => row('1', 'a'));
    expect((await cache.read('1', load)).result).toBe('bypass');
    expect((await cache.read('1', load)).result).toBe('bypass');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('serves a row from memory after the first read, until a change of it is announced', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    cache.reset(true);
    let name = 'a';
    const load = jest.fn(async () => row('1', name));
    expect(await cache.read('1', load)).toEqual({ record: row('1', 'a'), result: 'miss' });
    name = 'b';
    expect(await cache.read('1', load)).toEqual({ record: row('1', 'a'), result: 'hit' });
    cache.forget(parseChange('instance:U:2', 'instance'));
    expect((await cache.read('1', load)).result).toBe('hit');
    cache.forget(parseChange('instance:U:1', 'instance'));
    expect(await cache.read('1', load)).toEqual({ record: row('1', 'b'), result: 'miss' });
    cache.forget(parseChange('instance:*', 'instance'));
    expect((await cache.read('1', load)).result).toBe('miss');
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('does not keep "not found"', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    cache.reset(true);
    const load = jest.fn(async () => undefined);
    await cache.read('1', load);
    await cache.read('1', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep a row read while a change was announced: it may predate the change', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    cache.reset(true);
    const stale = pendingLoad(row('1', 'old'));
    const reading = cache.read('1', stale.load);
    cache.forget(parseChange('instance:U:1', 'instance'));
    stale.finish();
    expect((await reading).record).toEqual(row('1', 'old'));
    const fresh = jest.fn(async () => row('1', 'new'));
    expect(await cache.read('1', fresh)).toEqual({ record: row('1', 'new'), result: 'miss' });
  });

  it('forgets everything and reads through while the session is lost, and a read across the loss is not kept', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    cache.reset(true);
    await cache.read('1', async () => row('1', 'a'));
    const spanning = pendingLoad(row('2', 'old'));
    const reading = cache.read('2', spanning.load);
    cache.reset(false);
    spanning.finish();
    await reading;
    const load = jest.fn(async () => row('1', 'b'));
    expect(await cache.read('1', load)).toEqual({ record: row('1', 'b'), result: 'bypass' });
    cache.reset(true);
    expect((await cache.read('2', async () => row('2', 'new'))).record).toEqual(row('2', 'new'));
    expect((await cache.read('1', load)).result).toBe('miss');
  });

  it('ignores changes announced for another schema', async () => {
    const cache = new InstanceRowCache(10, 60_000);
    cache.reset(true);
    await cache.read('1', async () => row('1', 'a'));
    cache.forget(parseChange('elsewhere:U:1', 'instance'));
    expect((await cache.read('1', async () => row('1', 'b'))).result).toBe('hit');
  });

  it('holds at most its maximum of rows and reads again after the TTL', async () => {
    const cache = new InstanceRowCache(2, 20);
    cache.reset(true);
    for (const id of ['1', '2', '3']) await cache.read(id, async () => row(id, id));
    expect((await cache.read('1', async () => row('1', '1'))).result).toBe('miss');
    expect((await cache.read('1', async () => row('1', '1'))).result).toBe('hit');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await cache.read('1', async () => row('1', '1'))).result).toBe('miss');
  });

  it('holds at most its byte budget: a tenant cannot fill memory with large configurations', async () => {
    const big = 100 * 1024;
    const perRow = approximateBytes(row('1', 'x', big));
    expect(perRow).toBeGreaterThan(4 * big);
    const cache = new InstanceRowCache(10_000, 60_000, 3 * perRow);
    cache.reset(true);
    for (const id of ['1', '2', '3', '4', '5']) await cache.read(id, async () => row(id, 'x', big));
    const hits = [];
    for (const id of ['1', '2', '3', '4', '5'])
      hits.push((await cache.read(id, async () => row(id, 'x', big))).result);
    // The oldest two went to make room; reading them back evicted others in turn.
    expect(hits.filter((result) => result === 'hit').length).toBeLessThanOrEqual(3);
    expect(hits.slice(0, 2)).toEqual(['miss', 'miss']);
    // One row larger than the whole budget is served but never kept.
    const huge = new InstanceRowCache(10, 60_000, perRow - 1);
    huge.reset(true);
    await huge.read('9', async () => row('9', 'x', big));
    expect((await huge.read('9', async () => row('9', 'x', big))).result).toBe('miss');
  });
});
