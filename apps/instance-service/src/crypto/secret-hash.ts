import { createHmac, randomBytes, scrypt, timingSafeEqual, hkdfSync } from 'node:crypto';

/** scrypt parameters: N=2^14, r=8, p=1 (~16 MiB, tens of ms) — verified once, then cached by the caller. */
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

export interface HashedSecret {
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` — parameters travel with the hash so they can change later. */
  hash: string;
  /** HMAC-SHA256(lookupKey, secret), hex: an indexed column, so finding the owner never scans. */
  fingerprint: string;
}

/** A new random secret for an organization, a user or an instance token (256 bits, URL-safe). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

function scryptAsync(
  secret: string,
  salt: Buffer,
  parameters: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, HASH_BYTES, { ...parameters, maxmem: SCRYPT.maxmem }, (error, derived) => {
      if (error) reject(error);
      else resolve(derived);
    });
  });
}

/** Derives the fingerprint key from the configured lookup key (or, by default, the first encryption key). */
export function deriveLookupKey(material: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'pollcast secret lookup v1', 32));
}

export class SecretHasher {
  constructor(private readonly lookupKey: Buffer) {}

  fingerprint(secret: string): string {
    return createHmac('sha256', this.lookupKey).update(secret, 'utf8').digest('hex');
  }

  async hash(secret: string): Promise<HashedSecret> {
    const salt = randomBytes(SALT_BYTES);
    const derived = await scryptAsync(secret, salt, SCRYPT);
    return {
      hash: [
        'scrypt',
        SCRYPT.N,
        SCRYPT.r,
        SCRYPT.p,
        salt.toString('base64'),
        derived.toString('base64'),
      ].join('$'),
      fingerprint: this.fingerprint(secret),
    };
  }

  /** Constant-time comparison of the scrypt result; a malformed stored hash never matches. */
  async verify(secret: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [, n, r, p, salt = '', expected = ''] = parts;
    const parameters = { N: Number(n), r: Number(r), p: Number(p) };
    if (!Object.values(parameters).every((value) => Number.isInteger(value) && value > 0)) return false;
    const expectedBytes = Buffer.from(expected, 'base64');
    if (expectedBytes.length !== HASH_BYTES) return false;
    const derived = await scryptAsync(secret, Buffer.from(salt, 'base64'), parameters);
    return timingSafeEqual(derived, expectedBytes);
  }
}

/** Constant-time equality of two strings of any length (hashing first hides the length too). */
export function constantTimeEquals(given: string, expected: string): boolean {
  const key = randomBytes(32);
  const a = createHmac('sha256', key).update(given, 'utf8').digest();
  const b = createHmac('sha256', key).update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
