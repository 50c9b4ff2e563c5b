import { request as httpRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import {
  type WebhookSink,
  createWebhookSink,
  elementsSignature,
  standardWebhookSecret,
  standardWebhookSignature,
} from './index';

const KEY = 'tenant-signature-key-ü';

function signedHeaders(body: string, id = 'msg_1', key = KEY): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'elements-webhook-signature': elementsSignature(key, body),
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignature(key, id, timestamp, body),
  };
}

describe('webhook sink', () => {
  let sink: WebhookSink;
  beforeEach(async () => {
    sink = await createWebhookSink({ signatureKey: KEY });
  });
  afterEach(() => sink.close());

  it('records requests and verifies both signatures', async () => {
    const body = JSON.stringify({ message: { eventId: 'n1' } });
    const response = await fetch(`${sink.url}/hooks/a?x=1`, {
      method: 'POST',
      headers: signedHeaders(body),
      body,
    });
    expect(response.status).toBe(200);
    const [received] = sink.received();
    expect(received).toMatchObject({
      method: 'POST',
      path: '/hooks/a',
      query: 'x=1',
      body,
      json: { message: { eventId: 'n1' } },
      signatures: { elements: 'valid', standard: 'valid' },
      response: { status: 200, dropped: false },
    });
  });

  it('signs the way the standardwebhooks library verifies (secret = whsec_ + base64 of the key bytes)', () => {
    const body = '{"a":1}';
    const headers = signedHeaders(body, 'msg_xyz');
    expect(new Webhook(standardWebhookSecret(KEY)).verify(body, headers)).toEqual({ a: 1 });
  });

  it('flags wrong signatures, stale timestamps and missing headers', async () => {
    const body = '{"a":1}';
    const wrong = signedHeaders(body, 'msg_1', 'other-key');
    await fetch(`${sink.url}/x`, { method: 'POST', headers: wrong, body });
    const stale = {
      ...signedHeaders(body),
      'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600),
    };
    await fetch(`${sink.url}/x`, { method: 'POST', headers: stale, body });
    await fetch(`${sink.url}/x`, { method: 'POST', body });
    const [first, second, third] = sink.received();
    expect(first?.signatures).toMatchObject({ elements: 'invalid', standard: 'invalid' });
    expect(second?.signatures).toMatchObject({ elements: 'valid', standard: 'invalid' });
    expect(second?.signatures.standardProblem).toMatch(/timestamp/);
    expect(third?.signatures).toMatchObject({ elements: 'missing', standard: 'missing' });
    expect(sink.received({ signature: 'invalid' })).toHaveLength(3);
  });

  it('uses per-path keys through the control API, longest prefix first', async () => {
    const put = await fetch(`${sink.url}/_sink/keys`, {
      method: 'PUT',
      body: JSON.stringify({ pathPrefix: '/tenant-b', key: 'key-b' }),
    });
    expect(put.status).toBe(204);
    const body = '{}';
    await fetch(`${sink.url}/tenant-b/hook`, {
      method: 'POST',
      headers: signedHeaders(body, 'm', 'key-b'),
      body,
    });
    await fetch(`${sink.url}/tenant-a/hook`, {
      method: 'POST',
      headers: signedHeaders(body, 'm', 'key-b'),
      body,
    });
    const [b, a] = sink.received();
    expect(b?.signatures.standard).toBe('valid');
    expect(a?.signatures.standard).toBe('invalid');
    const keys = (await (await fetch(`${sink.url}/_sink/keys`)).json()) as { pathPrefixes: string[] };
    expect(keys.pathPrefixes.sort()).toEqual(['/', '/tenant-b']);
  });

  it('fails the next N requests with a status and headers, then answers 200 again', async () => {
    const created = await fetch(`${sink.url}/_sink/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, count: 2, headers: { 'retry-after': '3' } }),
    });
    expect(created.status).toBe(201);
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${sink.url}/x`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      retryAfter.push(response.headers.get('retry-after'));
    }
    expect(statuses).toEqual([503, 503, 200]);
    expect(retryAfter).toEqual(['3', '3', null]);
    expect(sink.received({ accepted: true })).toHaveLength(1);
  });

  it('delays, drops connections, and fails for a time span on one path only', async () => {
    sink.fail({ delayMs: 150, count: 1 });
    const started = Date.now();
    await fetch(`${sink.url}/slow`, { method: 'POST', body: '{}' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    sink.fail({ drop: true, count: 1 });
    await expect(fetch(`${sink.url}/drop`, { method: 'POST', body: '{}' })).rejects.toThrow();

    sink.fail({ status: 500, durationMs: 60_000, pathPrefix: '/down' });
    expect((await fetch(`${sink.url}/down/1`, { method: 'POST', body: '{}' })).status).toBe(500);
    expect((await fetch(`${sink.url}/down/2`, { method: 'POST', body: '{}' })).status).toBe(500);
    expect((await fetch(`${sink.url}/up`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(sink.faults()).toHaveLength(1);
    expect((await fetch(`${sink.url}/_sink/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${sink.url}/down/3`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(sink.received({ pathPrefix: '/down' }).map((request) => request.response.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('lists with filters, clears, shows an HTML page and answers health probes', async () => {
    const body = '{"n":1}';
    await fetch(`${sink.url}/a`, { method: 'POST', headers: signedHeaders(body, 'id-1'), body });
    await fetch(`${sink.url}/b`, { method: 'POST', headers: signedHeaders(body, 'id-2'), body });
    const listed = (await (await fetch(`${sink.url}/_sink/requests?webhookId=id-2`)).json()) as {
      total: number;
      requests: { path: string; seq: number }[];
    };
    expect(listed.total).toBe(2);
    expect(listed.requests.map((request) => request.path)).toEqual(['/b']);
    const since = (await (await fetch(`${sink.url}/_sink/requests?since=1&signature=valid`)).json()) as {
      requests: { path: string }[];
    };
    expect(since.requests.map((request) => request.path)).toEqual(['/b']);
    const bad = await fetch(`${sink.url}/_sink/requests?limit=zero`);
    expect(bad.status).toBe(400);

    // A summary: what a benchmark polls while it measures, without bodies.
    const notification = JSON.stringify({ message: { instanceId: 1, events: [{}, {}, {}] } });
    await fetch(`${sink.url}/c`, { method: 'POST', body: notification });
    const summary = (await (await fetch(`${sink.url}/_sink/requests?view=summary`)).json()) as {
      requests: Record<string, unknown>[];
    };
    expect(summary.requests).toEqual([
      {
        seq: 1,
        receivedAtMs: expect.any(Number),
        path: '/a',
        response: { status: 200, dropped: false },
        events: null,
      },
      {
        seq: 2,
        receivedAtMs: expect.any(Number),
        path: '/b',
        response: { status: 200, dropped: false },
        events: null,
      },
      {
        seq: 3,
        receivedAtMs: expect.any(Number),
        path: '/c',
        response: { status: 200, dropped: false },
        events: 3,
      },
    ]);
    expect((await fetch(`${sink.url}/_sink/requests?view=bodies`)).status).toBe(400);

    const page = await fetch(`${sink.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('id-2');

    expect((await fetch(`${sink.url}/_sink/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(sink.received()).toHaveLength(0);
    for (const path of ['/health/live', '/health/ready']) {
      expect(await (await fetch(`${sink.url}${path}`)).json()).toEqual({ status: 'ok' });
    }
  });

  it('waits for requests and closes while a delayed answer is pending', async () => {
    sink.fail({ delayMs: 60_000, count: 1 });
    const waiting = sink.waitForRequests(1, { path: '/late' }, 5000);
    const pending = new Promise<void>((resolve) => {
      const outgoing = httpRequest(`${sink.url}/late`, { method: 'POST' }, () => resolve());
      outgoing.on('error', () => resolve());
      outgoing.end('{}');
    });
    expect(await waiting).toHaveLength(1);
    await sink.close();
    await pending;
    sink = await createWebhookSink();
  });
});
