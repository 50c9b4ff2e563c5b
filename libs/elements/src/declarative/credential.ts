// What a declarative element stores as an instance's "access token": the token (or static secret) and
// the values its token response carried (`instance_url`), as one opaque string. The platform stores,
// caches and compares it like any access token (encrypted, never logged); only the engine reads it.

export interface Credential {
  readonly token: string;
  readonly values: Readonly<Record<string, string>>;
}

const PREFIX = 'pc1.';

export function encodeCredential(credential: Credential): string {
  return `${PREFIX}${Buffer.from(JSON.stringify(credential)).toString('base64url')}`;
}

/** A string this engine did not encode is taken as a bare token (no values). */
export function decodeCredential(stored: string): Credential {
  if (!stored.startsWith(PREFIX)) return { token: stored, values: {} };
  try {
    const parsed = JSON.parse(
      Buffer.from(stored.slice(PREFIX.length), 'base64url').toString('utf8'),
    ) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'token' in parsed &&
      typeof parsed.token === 'string'
    ) {
      const values =
        'values' in parsed && typeof parsed.values === 'object' && parsed.values !== null
          ? parsed.values
          : {};
      return {
        token: parsed.token,
        values: Object.fromEntries(
          Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
        ),
      };
    }
  } catch {
    // Not ours after all: a bare token.
  }
  return { token: stored, values: {} };
}
