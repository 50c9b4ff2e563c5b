import { findUnstorableText, unstorableTextReason } from './stored-text';

describe('text PostgreSQL cannot store', () => {
  it('finds U+0000 and lone surrogates, and passes paired surrogates (emoji) and ordinary text', () => {
    expect(unstorableTextReason('a\u0000b')).toMatch(/U\+0000/);
    expect(unstorableTextReason('\ud800')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableTextReason('x\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableTextReason('\udc00\ud800')).toMatch(/lone/);
    expect(unstorableTextReason('😀 café \u00ff')).toBeUndefined();
    expect(unstorableTextReason('')).toBeUndefined();
  });

  it('names every bad value by its path, and a bad key by its parent', () => {
    const body = {
      name: 'ok',
      tags: ['fine', 'bad\u0000'],
      configuration: { 'event.poller.configuration': { contacts: { url: '/x\ud83d' } }, ['k\u0000']: 1 },
    };
    expect(findUnstorableText(body, '')).toEqual([
      { path: 'tags.1', message: expect.stringMatching(/U\+0000/) },
      { path: 'configuration.event.poller.configuration.contacts.url', message: expect.any(String) },
      { path: 'configuration', message: expect.stringMatching(/^a key/) },
    ]);
    expect(findUnstorableText('\u0000', 'id')).toEqual([{ path: 'id', message: expect.any(String) }]);
    expect(findUnstorableText({ a: 1, b: [true, null] }, '')).toEqual([]);
  });

  it('stops at a bounded number of findings and depth', () => {
    expect(
      findUnstorableText(
        Array.from({ length: 1000 }, () => '\u0000'),
        'x',
      ),
    ).toHaveLength(20);
    let deep: unknown = 'ok';
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(findUnstorableText(deep, 'd')[0]?.message).toMatch(/nested deeper/);
  });
});
