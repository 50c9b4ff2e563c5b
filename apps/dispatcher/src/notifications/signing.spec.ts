import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  callbackHeaders,
  elementsWebhookSignature,
  standardWebhookSecret,
  standardWebhookSignature,
} from './signing';

const KEY = 'my-signature-key-é';
const BODY = '{"message":{"eventId":"n1","events":[]}}';

describe('callback signing', () => {
  it('Elements-Webhook-Signature is sha256= + base64 HMAC-SHA256 of the exact body with the key’s UTF-8 bytes', () => {
    const expected = createHmac('sha256', Buffer.from(KEY, 'utf8'))
      .update(Buffer.from(BODY, 'utf8'))
      .digest('base64');
    expect(elementsWebhookSignature(KEY, BODY)).toBe(`sha256=${expected}`);
  });

  it('webhook-signature verifies with the standardwebhooks library given whsec_ + base64(key bytes)', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'n1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(KEY, 'n1', timestamp, BODY),
    };
    expect(new Webhook(standardWebhookSecret(KEY)).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(standardWebhookSecret('abc')).toBe(`whsec_${Buffer.from('abc').toString('base64')}`);
  });

  it('builds the headers of one attempt; no signature headers without a key', () => {
    const signed = callbackHeaders({
      notificationId: 'n1',
      body: BODY,
      timestampSeconds: 1700000000,
      signatureKey: KEY,
      userAgent: 'Pollcast-Dispatcher/1.2.3',
    });
    expect(signed).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Pollcast-Dispatcher/1.2.3',
      'elements-webhook-id': 'n1',
      'webhook-id': 'n1',
      'webhook-timestamp': '1700000000',
      'elements-webhook-signature': elementsWebhookSignature(KEY, BODY),
      'webhook-signature': standardWebhookSignature(KEY, 'n1', 1700000000, BODY),
    });
    const unsigned = callbackHeaders({
      notificationId: 'n1',
      body: BODY,
      timestampSeconds: 1700000000,
      signatureKey: null,
      userAgent: 'x',
    });
    expect(unsigned).not.toHaveProperty('webhook-signature');
    expect(unsigned).not.toHaveProperty('elements-webhook-signature');
    expect(unsigned['webhook-id']).toBe('n1');
  });
});
