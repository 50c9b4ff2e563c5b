import { findJsonSyntaxError } from './json-syntax';

describe('findJsonSyntaxError', () => {
  it.each(['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]}', ' "text" ', '0'])(
    'accepts valid JSON %s',
    (text) => {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    },
  );

  it.each([
    ['{"a": }', 6, 'expected a value'],
    ['{"a": 1,}', 8, 'property name in double quotes'],
    ["{'a': 1}", 1, 'property name in double quotes'],
    ['{"a" 1}', 5, 'expected ":"'],
    ['[1 2]', 3, 'expected "," or "]"'],
    ['{"a": "x', 6, 'never closed'],
    ['{"a": 1} x', 9, 'after the end'],
    ['{"a": "\\q"}', 7, 'bad escape'],
    ['', 0, 'end of text'],
  ])('locates the error in %s at %i', (text, position, problem) => {
    const found = findJsonSyntaxError(text);
    expect(found?.position).toBe(position);
    expect(found?.problem).toContain(problem);
    // Whatever JSON.parse rejects, the scanner must reject too (and the other way round).
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('reports line and column', () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b": ]\n}')).toMatchObject({
      line: 3,
      column: 8,
      position: 19,
    });
  });

  it('survives deep nesting', () => {
    expect(findJsonSyntaxError('['.repeat(100_000))?.problem).toContain('end of text');
  });
});
