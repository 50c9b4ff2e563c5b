import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Secrets of a local platform: generated once per data folder, never committed (.data is ignored). */
export interface LocalSecrets {
  serviceToken: string;
  /** `keyId:base64(32 bytes)` for AES-256-GCM; a list allows rotation. */
  encryptionKeys: string;
  /** The development organization and user instance-service creates at start. */
  organizationSecret: string;
  userSecret: string;
}

/** The header a tenant sends (Open Connectors' format). */
export function authorizationHeader(
  secrets: Pick<LocalSecrets, 'organizationSecret' | 'userSecret'>,
): string {
  return `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`;
}

export function generateSecrets(): LocalSecrets {
  return {
    serviceToken: randomBytes(32).toString('base64url'),
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
    organizationSecret: randomBytes(24).toString('base64url'),
    userSecret: randomBytes(24).toString('base64url'),
  };
}

export function loadOrCreateSecrets(file: string): LocalSecrets {
  // A file from an older version lacks newer fields: fill them in rather than failing.
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
    const complete = { ...generateSecrets(), ...stored };
    if (Object.keys(stored).length !== Object.keys(complete).length)
      writeFileSync(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
    return complete;
  }
  const secrets = generateSecrets();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
