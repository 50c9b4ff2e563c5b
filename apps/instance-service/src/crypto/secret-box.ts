import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One AES-256 key and the id stored beside every ciphertext it produces (so keys can rotate). */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class KeyringError extends Error {}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `POLLCAST_ENCRYPTION_KEYS`: comma-separated `keyId:base64(32 bytes)`. The first key encrypts,
 * every key decrypts — rotation = put a new key first, re-encrypt at leisure, drop the old one later.
 * Messages never include key material.
 */
export function parseKeyring(value: string): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new KeyringError('expected keyId:base64(32 bytes)[,keyId:base64…]');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator < 0 ? '' : entry.slice(0, separator);
    const encoded = separator < 0 ? '' : entry.slice(separator + 1);
    if (!KEY_ID.test(id)) {
      throw new KeyringError(`key #${index + 1}: expected keyId:base64(32 bytes), keyId of [A-Za-z0-9_-]`);
    }
    if (seen.has(id)) throw new KeyringError(`key id '${id}' appears twice`);
    seen.add(id);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
      throw new KeyringError(`key '${id}': expected base64 of exactly 32 bytes`);
    }
    return { id, key };
  });
}

export class DecryptionError extends Error {}

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM with a fresh 96-bit IV per message. Ciphertext text form:
 * `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`. `context` is authenticated (AAD) but not
 * stored: a ciphertext copied to another row or purpose fails to decrypt.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: ReadonlyArray<EncryptionKey>) {
    const [first] = keys;
    if (first === undefined) throw new KeyringError('at least one encryption key is required');
    this.current = first;
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      FORMAT_VERSION,
      this.current.id,
      iv.toString('base64url'),
      tag.toString('base64url'),
      encrypted.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string, context: string): string {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT_VERSION)
      throw new DecryptionError('unknown ciphertext format');
    const [, keyId = '', iv = '', tag = '', body = ''] = parts;
    const key = this.byId.get(keyId);
    if (key === undefined) throw new DecryptionError(`no key '${keyId}' in POLLCAST_ENCRYPTION_KEYS`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new DecryptionError(`ciphertext does not authenticate with key '${keyId}'`);
    }
  }

  /** The key id a ciphertext was made with (re-encryption jobs pick the rows not on the current key). */
  static keyIdOf(ciphertext: string): string | undefined {
    const parts = ciphertext.split('.');
    return parts.length === 5 ? parts[1] : undefined;
  }
}
