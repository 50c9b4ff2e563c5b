import { createHmac } from 'node:crypto';

/**
 * Both signatures use the instance's `event.notification.signature.key` as the HMAC key, taken as its
 * UTF-8 bytes. A Standard Webhooks library therefore verifies with the secret
 * `whsec_` + base64(UTF-8 bytes of the key) — see `standardWebhookSecret`.
 */
function hmacKey(signatureKey: string): Buffer {
  return Buffer.from(signatureKey, 'utf8');
}

/** `Elements-Webhook-Signature` value: `sha256=` + base64 HMAC-SHA256 of the exact body bytes. */
export function elementsWebhookSignature(signatureKey: string, body: string): string {
  return `sha256=${createHmac('sha256', hmacKey(signatureKey)).update(body, 'utf8').digest('base64')}`;
}

/** Standard Webhooks `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function standardWebhookSignature(
  signatureKey: string,
  webhookId: string,
  timestampSeconds: number,
  body: string,
): string {
  const hmac = createHmac('sha256', hmacKey(signatureKey));
  hmac.update(`${webhookId}.${timestampSeconds}.`, 'utf8');
  hmac.update(body, 'utf8');
  return `v1,${hmac.digest('base64')}`;
}

/** The secret to give a Standard Webhooks verifier for a Pollcast signature key. */
export function standardWebhookSecret(signatureKey: string): string {
  return `whsec_${hmacKey(signatureKey).toString('base64')}`;
}

export interface CallbackHeaderInput {
  notificationId: string;
  body: string;
  /** Unix seconds of this attempt. */
  timestampSeconds: number;
  signatureKey: string | null;
  userAgent: string;
}

/** Headers of one delivery attempt. `webhook-id` stays the notification id across retries. */
export function callbackHeaders(input: CallbackHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'elements-webhook-id': input.notificationId,
    'webhook-id': input.notificationId,
    'webhook-timestamp': String(input.timestampSeconds),
  };
  if (input.signatureKey !== null && input.signatureKey !== '') {
    headers['elements-webhook-signature'] = elementsWebhookSignature(input.signatureKey, input.body);
    headers['webhook-signature'] = standardWebhookSignature(
      input.signatureKey,
      input.notificationId,
      input.timestampSeconds,
      input.body,
    );
  }
  return headers;
}
