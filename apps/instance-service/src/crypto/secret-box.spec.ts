import { randomBytes } from 'node:crypto';
import { DecryptionError, KeyringError, parseKeyring, SecretBox } from './secret-box';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('parseKeyring', () => {
  it('reads comma-separated keyId:base64 entries, first one first', () => {
    const keys = parseKeyring(` ${keyText('new')} , ${keyText('old')} `);
    expect(keys.map((key) => key.id)).toEqual(['new', 'old']);
    expect(keys.every((key) => key.key.length === 32)).toBe(true);
  });

  it.each([
    ['', /expected keyId/],
    ['k1', /keyId:base64/],
    [`k1:${randomBytes(16).toString('base64')}`, /exactly 32 bytes/],
    [`bad id:${randomBytes(32).toString('base64')}`, /keyId of/],
    [`${keyText('k1')},${keyText('k1')}`, /twice/],
  ])('refuses %j without echoing key material', (value, message) => {
    expect(() => parseKeyring(value)).toThrow(KeyringError);
    expect(() => parseKeyring(value)).toThrow(message);
  });
});

describe('SecretBox (AES-256-GCM)', () => {
  const [current, previous] = parseKeyring(`${keyText('k2')},${keyText('k1')}`);
  const box = new SecretBox([current!, previous!]);

  it('round-trips, with a fresh IV each time and the key id stored beside the ciphertext', () => {
    const first = box.encrypt('refresh-token-xyz', 'instance:1:refresh-token');
    const second = box.encrypt('refresh-token-xyz', 'instance:1:refresh-token');
    expect(first).not.toBe(second);
    expect(first).not.toContain('refresh-token-xyz');
    expect(SecretBox.keyIdOf(first)).toBe('k2');
    expect(box.decrypt(first, 'instance:1:refresh-token')).toBe('refresh-token-xyz');
  });

  it('decrypts with an older key after rotation', () => {
    const old = new SecretBox([previous!]).encrypt('secret', 'ctx');
    expect(SecretBox.keyIdOf(old)).toBe('k1');
    expect(box.decrypt(old, 'ctx')).toBe('secret');
  });

  it('refuses another context, a tampered ciphertext, an unknown key and garbage', () => {
    const sealed = box.encrypt('secret', 'instance:1:token');
    expect(() => box.decrypt(sealed, 'instance:2:token')).toThrow(DecryptionError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'instance:1:token')).toThrow(DecryptionError);
    expect(() => new SecretBox([previous!]).decrypt(sealed, 'instance:1:token')).toThrow(/no key 'k2'/);
    expect(() => box.decrypt('not a ciphertext', 'x')).toThrow(DecryptionError);
  });
});
