import { createHmac, timingSafeEqual } from 'node:crypto';

/** Outcome of checking one signature scheme on one request. */
export type SignatureCheck =
  /** The sink knows no key for this path: nothing to check against. */
  | 'no-key'
  /** The key is known but the request carries no such header. */
  | 'missing'
  | 'valid'
  | 'invalid';

export interface SignatureChecks {
  /** `Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256(key, body)>` (Open Connectors). */
  elements: SignatureCheck;
  /** Standard Webhooks `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`. */
  standard: SignatureCheck;
  /** Why `standard` is invalid (bad timestamp, missing id …), for people reading the log. */
  standardProblem?: string;
}

/** Standard Webhooks: verifiers reject timestamps more than 5 minutes away from now. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

function equalStrings(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** base64 HMAC-SHA256 over the exact body bytes with the signature key's UTF-8 bytes. */
export function elementsSignature(signatureKey: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', Buffer.from(signatureKey, 'utf8')).update(body).digest('base64')}`;
}

/** The Standard Webhooks signature over `id.timestamp.body` with the key's UTF-8 bytes as secret. */
export function standardWebhookSignature(
  signatureKey: string,
  webhookId: string,
  timestampSeconds: number,
  body: Buffer | string,
): string {
  const hmac = createHmac('sha256', Buffer.from(signatureKey, 'utf8'));
  hmac.update(`${webhookId}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** The `whsec_…` secret a Standard Webhooks library expects for a Pollcast signature key. */
export function standardWebhookSecret(signatureKey: string): string {
  return `whsec_${Buffer.from(signatureKey, 'utf8').toString('base64')}`;
}

/** Checks both signature schemes of one request the way a tenant would. */
export function checkSignatures(
  signatureKey: string | undefined,
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureChecks {
  if (signatureKey === undefined) return { elements: 'no-key', standard: 'no-key' };
  const elementsHeader = headers['elements-webhook-signature'];
  const elements: SignatureCheck =
    elementsHeader === undefined
      ? 'missing'
      : equalStrings(elementsHeader, elementsSignature(signatureKey, body))
        ? 'valid'
        : 'invalid';

  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (signature === undefined) return { elements, standard: 'missing' };
  if (id === undefined || timestamp === undefined) {
    return { elements, standard: 'invalid', standardProblem: 'webhook-id or webhook-timestamp missing' };
  }
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - seconds) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { elements, standard: 'invalid', standardProblem: `timestamp ${timestamp} outside ±5 min` };
  }
  const expected = standardWebhookSignature(signatureKey, id, seconds, body);
  // The header is a space-separated list (key rotation): one match is enough.
  const matches = signature.split(' ').some((candidate) => equalStrings(candidate, expected));
  return matches
    ? { elements, standard: 'valid' }
    : { elements, standard: 'invalid', standardProblem: 'no v1 signature matches' };
}
