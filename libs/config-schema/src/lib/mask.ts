import type { CanonicalInstanceConfig } from './types';

/** What a secret looks like when echoed back; a client may send it back unchanged to keep the secret. */
export const SECRET_MASK = '********';

const ALWAYS_SECRET_KEYS = new Set(['oauth.api.secret', 'event.notification.signature.key']);
const SECRET_WORDS = /secret|password|token/i;

export function isSecretConfigKey(key: string): boolean {
  return ALWAYS_SECRET_KEYS.has(key) || SECRET_WORDS.test(key);
}

function maskValue(value: unknown): unknown {
  // Nothing to hide in "not set"; showing it tells the client the secret is missing.
  return value === undefined || value === null || value === '' ? value : SECRET_MASK;
}

/**
 * `https://user:pass@host/…` → `https://********@host/…`. New URLs with credentials are refused
 * (httpUrlSchema); this keeps ones stored before that out of responses and snapshots.
 */
export function maskUrlCredentials(value: string): string {
  if (!value.includes('@') || !/^\s*https?:\/\//i.test(value)) return value;
  try {
    const url = new URL(value.trim());
    if (url.username === '' && url.password === '') return value;
    return value.trim().replace(/^(https?:\/\/)[^@/?#]*@/i, `$1${SECRET_MASK}@`);
  } catch {
    return value;
  }
}

/** Nesting beyond this is not a configuration Pollcast accepted; hide it whole rather than recurse. */
const MAX_DEPTH = 32;

/**
 * A copy of a configuration object fit for responses and logs: the value of every secret key,
 * at any depth, replaced by `********`.
 */
export function maskConfiguration(configuration: Record<string, unknown>): Record<string, unknown> {
  return maskObject(configuration, 0);
}

function maskObject(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      isSecretConfigKey(key) ? maskValue(value) : maskNested(value, depth + 1),
    ]),
  );
}

function maskNested(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return SECRET_MASK;
  if (Array.isArray(value)) return value.map((item) => maskNested(item, depth + 1));
  return maskObject(value as Record<string, unknown>, depth);
}

/** The canonical configuration with its secrets masked (OAuth secret, signature key, secret-named keys). */
export function maskCanonicalConfig(config: CanonicalInstanceConfig): CanonicalInstanceConfig {
  const masked: CanonicalInstanceConfig = {
    ...config,
    oauth: { ...config.oauth },
    events: { ...config.events },
    elementConfig: Object.fromEntries(
      Object.entries(config.elementConfig).map(([key, value]) => [
        key,
        isSecretConfigKey(key) && value !== '' ? SECRET_MASK : maskUrlCredentials(value),
      ]),
    ),
    original: maskConfiguration(config.original),
  };
  if (masked.oauth.apiSecret !== undefined) masked.oauth.apiSecret = SECRET_MASK;
  if (masked.events.signatureKey !== undefined) masked.events.signatureKey = SECRET_MASK;
  if (masked.events.callbackUrl !== undefined)
    masked.events.callbackUrl = maskUrlCredentials(masked.events.callbackUrl);
  if (masked.oauth.callbackUrl !== undefined)
    masked.oauth.callbackUrl = maskUrlCredentials(masked.oauth.callbackUrl);
  // The grant code is single-use but still a credential until exchanged.
  if (masked.providerCode !== undefined) masked.providerCode = SECRET_MASK;
  return masked;
}
