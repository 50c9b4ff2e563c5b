import { canonicalJson, contentHash } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('drops undefined members like JSON.stringify and keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('escapes strings and keys as JSON does', () => {
    expect(canonicalJson({ 'k"\n': 'é\u0000' })).toBe(JSON.stringify({ 'k"\n': 'é\u0000' }));
  });

  it('is the same for records that differ only in key order', () => {
    expect(contentHash({ Key: 'a', Name: { First: 'x', Last: 'y' } })).toBe(
      contentHash({ Name: { Last: 'y', First: 'x' }, Key: 'a' }),
    );
    expect(contentHash({ Key: 'a' })).not.toBe(contentHash({ Key: 'b' }));
    expect(contentHash({ Key: 'a' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
