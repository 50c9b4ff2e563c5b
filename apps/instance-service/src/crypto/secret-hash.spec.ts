import { constantTimeEquals, deriveLookupKey, generateSecret, SecretHasher } from './secret-hash';

describe('SecretHasher', () => {
  const hasher = new SecretHasher(deriveLookupKey(Buffer.from('lookup-key-material')));

  it('hashes with scrypt and a per-secret salt, and verifies', async () => {
    const secret = generateSecret();
    const first = await hasher.hash(secret);
    const second = await hasher.hash(secret);
    expect(first.hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(first.hash).not.toBe(second.hash);
    expect(first.hash).not.toContain(secret);
    expect(await hasher.verify(secret, first.hash)).toBe(true);
    expect(await hasher.verify(`${secret}x`, first.hash)).toBe(false);
  });

  it('gives a stable keyed fingerprint for lookups', async () => {
    const secret = generateSecret();
    expect((await hasher.hash(secret)).fingerprint).toBe(hasher.fingerprint(secret));
    expect(hasher.fingerprint(secret)).toMatch(/^[0-9a-f]{64}$/);
    const otherKey = new SecretHasher(deriveLookupKey(Buffer.from('another key')));
    expect(otherKey.fingerprint(secret)).not.toBe(hasher.fingerprint(secret));
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'scrypt$1$2', 'bcrypt$x$y$z$a$b', 'scrypt$16384$8$1$c2FsdA==$c2hvcnQ=']) {
      expect(await hasher.verify('anything', stored)).toBe(false);
    }
  });
});

describe('constantTimeEquals', () => {
  it('compares strings of any length', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abd')).toBe(false);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });
});

describe('generateSecret', () => {
  it('makes 256-bit URL-safe secrets', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(secret);
  });
});
