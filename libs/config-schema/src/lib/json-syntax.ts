/**
 * Where a JSON text first goes wrong. `JSON.parse`'s messages differ between Node versions and
 * Node 20's carry no position at all, so the position is found by this small scanner instead. It is
 * iterative (explicit stack) so that deeply nested input cannot overflow the call stack.
 */
export interface JsonSyntaxError {
  /** 0-based index into the text. */
  position: number;
  /** 1-based line and column, for people. */
  line: number;
  column: number;
  problem: string;
}

type Container = 'array' | 'object';

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const hexDigits = /^[0-9a-fA-F]{4}$/;
const simpleEscapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const failure = scan(text);
  if (failure === undefined) return undefined;
  const before = text.slice(0, failure.position);
  const line = before.split('\n').length;
  const column = failure.position - before.lastIndexOf('\n');
  return { position: failure.position, line, column, problem: failure.problem };
}

function describeChar(char: string | undefined): string {
  return char === undefined ? 'end of text' : JSON.stringify(char);
}

function scan(text: string): { position: number; problem: string } | undefined {
  const stack: Container[] = [];
  let index = 0;
  let expecting: 'value' | 'key' | 'after-value' = 'value';

  const skipBlanks = (): void => {
    while (index < text.length && ' \t\n\r'.includes(text.charAt(index))) index++;
  };
  const fail = (problem: string) => ({ position: index, problem });
  const scanString = (): { position: number; problem: string } | undefined => {
    const opening = index;
    index++;
    while (index < text.length) {
      const char = text.charAt(index);
      if (char === '"') {
        index++;
        return undefined;
      }
      if (char === '\\') {
        const escaped = text.charAt(index + 1);
        if (escaped === 'u') {
          if (!hexDigits.test(text.slice(index + 2, index + 6)))
            return fail('bad \\u escape: four hex digits expected');
          index += 6;
        } else if (simpleEscapes.has(escaped)) {
          index += 2;
        } else {
          return fail(`bad escape ${describeChar(escaped === '' ? undefined : `\\${escaped}`)} in string`);
        }
        continue;
      }
      if (char < ' ') return fail('raw control character (newline, tab…) in string; escape it');
      index++;
    }
    return { position: opening, problem: 'string is never closed (missing ")' };
  };

  for (;;) {
    skipBlanks();
    const char = text[index];
    if (expecting === 'value') {
      if (char === '{' || char === '[') {
        index++;
        skipBlanks();
        const closing = char === '{' ? '}' : ']';
        if (text[index] === closing) {
          index++;
          expecting = 'after-value';
        } else {
          stack.push(char === '{' ? 'object' : 'array');
          expecting = char === '{' ? 'key' : 'value';
        }
        continue;
      }
      if (char === '"') {
        const failure = scanString();
        if (failure !== undefined) return failure;
        expecting = 'after-value';
        continue;
      }
      numberPattern.lastIndex = index;
      const number = numberPattern.exec(text);
      if (number !== null) {
        index += number[0].length;
        expecting = 'after-value';
        continue;
      }
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, index));
      if (literal !== undefined) {
        index += literal.length;
        expecting = 'after-value';
        continue;
      }
      return fail(
        `unexpected ${describeChar(char)}, expected a value (object, array, string, number, true, false, null)`,
      );
    }
    if (expecting === 'key') {
      if (char !== '"')
        return fail(`unexpected ${describeChar(char)}, expected a property name in double quotes`);
      const failure = scanString();
      if (failure !== undefined) return failure;
      skipBlanks();
      if (text[index] !== ':')
        return fail(`unexpected ${describeChar(text[index])}, expected ":" after the property name`);
      index++;
      expecting = 'value';
      continue;
    }
    // after a complete value
    const container = stack[stack.length - 1];
    if (container === undefined) {
      return index < text.length
        ? fail(`unexpected ${describeChar(char)} after the end of the JSON value`)
        : undefined;
    }
    const closing = container === 'object' ? '}' : ']';
    if (char === ',') {
      index++;
      expecting = container === 'object' ? 'key' : 'value';
    } else if (char === closing) {
      index++;
      stack.pop();
    } else {
      return fail(`unexpected ${describeChar(char)}, expected "," or "${closing}"`);
    }
  }
}
