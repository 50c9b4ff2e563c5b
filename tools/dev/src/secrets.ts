import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Secrets of a local platform: generated once per data folder, never committed (.data is ignored). */
export interface LocalSecrets {
  serviceToken: string;
  /** `keyId:base64(32 bytes)` for AES-256-GCM; a list allows rotation. */
  encryptionKeys: string;
}

export function generateSecrets(): LocalSecrets {
  return {
    serviceToken: randomBytes(32).toString('base64url'),
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
  };
}

export function loadOrCreateSecrets(file: string): LocalSecrets {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets = generateSecrets();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
