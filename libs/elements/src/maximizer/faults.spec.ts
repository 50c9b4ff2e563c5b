// Error mapping against a tiny local HTTP server: each test scripts the provider's answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderError } from '../errors';
import type { ElementAdapter } from '../types';
import { createMaximizerAdapter } from './adapter';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

const ACCESS_TOKEN = 'access-token-0123456789';
const NOW = Date.parse('2024-05-01T12:00:00Z');

let server: Server;
let baseUrl: string;
let handler: Handler;
let connections = 0;
const openResponses = new Set<ServerResponse>();
let adapter: ElementAdapter;

beforeAll(async () => {
  server = createServer((request, response) => {
    openResponses.add(response);
    response.on('close', () => openResponses.delete(response));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  adapter = createMaximizerAdapter({
    timeouts: { requestTimeoutMs: 300, connectTimeoutMs: 1000 },
    now: () => NOW,
    // The local test server is private: the operator allow-list admits exactly this address and port.
    outbound: { allowedHosts: [baseUrl.replace('http://', '')] },
  });
});

afterEach(() => {
  for (const response of openResponses) response.destroy();
});

afterAll(async () => {
  await adapter.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function respond(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_request, _body, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
}

function read(
  url = "/hubs/crm/contacts?where=LastModifyDate>'2019-01-15T11:54:00-05:00'",
  signal?: AbortSignal,
) {
  return adapter.executeHubRequest({
    configuration: { 'maximizer.url': baseUrl },
    accessToken: ACCESS_TOKEN,
    url,
    ...(signal === undefined ? {} : { signal }),
  });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) {
      expect(error.message).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(error)).not.toContain(ACCESS_TOKEN);
      return error;
    }
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('Octopus Read over HTTP', () => {
  it('sends the translated Read with a Bearer token and returns records and the next page token', async () => {
    let seen: { path?: string; authorization?: string; body?: unknown } = {};
    handler = (request, body, response) => {
      seen = { path: request.url, authorization: request.headers.authorization, body: JSON.parse(body) };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ Code: 0, AbEntry: { Data: [{ Key: 'k1', Extra: { a: 1 } }], PageKey: 'p2' } }),
      );
    };
    await expect(read()).resolves.toEqual({
      records: [{ Key: 'k1', Extra: { a: 1 } }],
      nextPageToken: 'p2',
      warnings: [],
    });
    expect(seen.path).toBe('/octopus/Read');
    expect(seen.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(seen.body).toMatchObject({ AbEntry: { PageSize: 100 } });
  });

  it('has no next page token on the last page', async () => {
    handler = respond(200, JSON.stringify({ Code: 0, Opportunity: { Data: [] } }));
    await expect(read('/hubs/crm/opportunities')).resolves.toEqual({ records: [], warnings: [] });
  });

  it('maps 429 with Retry-After seconds to rate_limited', async () => {
    handler = respond(429, '{"Code":-1,"Msg":["Too many requests"]}', { 'retry-after': '3' });
    const error = await failure(read());
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
    expect(error.providerMessage).toBe('Too many requests');
    expect(error.message).toMatch(/HTTP 429 \(retry after 3000 ms\): Too many requests/);
  });

  it('maps 429 with a Retry-After HTTP date', async () => {
    handler = respond(429, '', { 'retry-after': new Date(NOW + 90_000).toUTCString() });
    expect(await failure(read())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 90_000 });
  });

  it.each([500, 502, 503])('maps %i to retryable, never quoting a raw body', async (status) => {
    handler = respond(status, '<html>upstream down: internal-host-7</html>', { 'content-type': 'text/html' });
    const error = await failure(read());
    expect(error).toMatchObject({ kind: 'retryable', status, providerMessage: undefined });
    expect(error.message).toBe(`maximizer octopus/Read (contacts): HTTP ${status}`);
  });

  it('passes on the documented Msg of an error, capped at 200 characters', async () => {
    handler = respond(500, JSON.stringify({ Code: -5, Msg: [`boom ${'x'.repeat(400)}`] }));
    const error = await failure(read());
    expect(error.providerMessage).toHaveLength(201);
    expect(error.providerMessage?.startsWith('boom xxx')).toBe(true);
    expect(error.message.length).toBeLessThan(300);
  });

  it('maps 401 to unauthorized without leaking the token', async () => {
    handler = respond(401, JSON.stringify({ Code: -1, Msg: [`Invalid token ${ACCESS_TOKEN}`] }));
    const error = await failure(read());
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, providerCode: -1 });
    expect(error.providerMessage).toBe('Invalid token [REDACTED]');
  });

  it('maps other 4xx to permanent', async () => {
    handler = respond(403, '{"Code":-3,"Msg":["Forbidden"]}');
    expect(await failure(read())).toMatchObject({
      kind: 'permanent',
      status: 403,
      providerMessage: 'Forbidden',
    });
  });

  it('maps a negative Code to permanent with the provider Msg', async () => {
    handler = respond(200, `{"Code":-1,"Msg":["Unknown field 'Foo' in Criteria.SearchQuery"]}`);
    const error = await failure(read());
    expect(error).toMatchObject({ kind: 'permanent', status: 200, providerCode: -1 });
    expect(error.message).toBe(
      `maximizer octopus/Read (contacts): Code -1: Unknown field 'Foo' in Criteria.SearchQuery`,
    );
  });

  it('maps malformed JSON and a body without the entity page to retryable', async () => {
    handler = respond(200, '{"Code":0,"AbEntry":{"Data":[');
    expect(await failure(read())).toMatchObject({ kind: 'retryable', status: 200 });
    handler = respond(200, '{"Code":0}');
    expect((await failure(read())).message).toMatch(/no valid AbEntry.Data/);
  });

  it('maps a provider that never answers to retryable after the total timeout', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await failure(read());
    expect(error).toMatchObject({ kind: 'retryable', status: undefined });
    expect(error.message).toMatch(/no complete response within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts a body that stalls half way against the total timeout', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"Code":0,');
    };
    expect((await failure(read())).message).toMatch(/no complete response within 300 ms/);
  });

  it('maps a refused connection to retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const own = createMaximizerAdapter({ outbound: { allowedHosts: [`127.0.0.1:${port}`] } });
    const error = await failure(
      own.executeHubRequest({
        configuration: { 'maximizer.url': `http://127.0.0.1:${port}` },
        accessToken: ACCESS_TOKEN,
        url: '/hubs/crm/contacts',
      }),
    );
    await own.close();
    expect(error).toMatchObject({ kind: 'retryable' });
    // The code only: no address or port of what was dialled.
    expect(error.message).toBe('maximizer octopus/Read (contacts): connection failed (ECONNREFUSED)');
  });

  it('hands the caller its own abort reason', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const reason = new Error('poll cancelled');
    setTimeout(() => controller.abort(reason), 20);
    await expect(read(undefined, controller.signal)).rejects.toBe(reason);
  });

  it('reuses keep-alive connections for consecutive requests', async () => {
    handler = respond(200, JSON.stringify({ Code: 0, AbEntry: { Data: [] } }));
    const before = connections;
    for (let request = 0; request < 10; request += 1) await read();
    // undici may open a second socket while the first finishes its response; never one per request.
    expect(connections - before).toBeLessThanOrEqual(2);
  });
});

describe('OAuth token endpoint over HTTP', () => {
  const configuration = () => ({
    'maximizer.url': baseUrl,
    'maximizer.alias': 'acme',
    'oauth.api.key': 'client-1',
    'oauth.api.secret': 'client-secret-xyz',
    'oauth.callback.url': 'https://app.example.com/cb',
  });

  it('exchanges a code with a form body and computes expiresAt', async () => {
    let seen: { path?: string; form?: Record<string, string> } = {};
    handler = (request, body, response) => {
      seen = { path: request.url, form: Object.fromEntries(new URLSearchParams(body)) };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"access_token":"at-1","token_type":"Bearer","expires_in":600,"refresh_token":"rt-1"}');
    };
    await expect(adapter.exchangeCode(configuration(), 'code-1')).resolves.toEqual({
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAt: new Date(NOW + 600_000),
    });
    expect(seen).toEqual({
      path: '/OAuth2/acme/Token',
      form: {
        grant_type: 'authorization_code',
        code: 'code-1',
        redirect_uri: 'https://app.example.com/cb',
        client_id: 'client-1',
        client_secret: 'client-secret-xyz',
      },
    });
  });

  it('keeps the old refresh token when the server does not rotate it', async () => {
    handler = respond(200, '{"access_token":"at-2","expires_in":60}');
    await expect(adapter.refreshTokens(configuration(), 'rt-old')).resolves.toEqual({
      accessToken: 'at-2',
      refreshToken: 'rt-old',
      expiresAt: new Date(NOW + 60_000),
    });
  });

  it('maps invalid_grant to permanent with the OAuth error, never quoting the refresh token', async () => {
    handler = respond(
      400,
      '{"error":"invalid_grant","error_description":"refresh token rt-secret-1 revoked"}',
    );
    const error = await failure(adapter.refreshTokens(configuration(), 'rt-secret-1'));
    expect(error).toMatchObject({ kind: 'permanent', status: 400, oauthError: 'invalid_grant' });
    expect(error.message).not.toContain('rt-secret-1');
  });

  it('maps invalid_client (401) to permanent: refreshing cannot fix client credentials', async () => {
    handler = respond(401, '{"error":"invalid_client"}');
    expect(await failure(adapter.exchangeCode(configuration(), 'c'))).toMatchObject({
      kind: 'permanent',
      status: 401,
      oauthError: 'invalid_client',
    });
  });

  it('never quotes a malformed token response (it may hold tokens)', async () => {
    handler = respond(200, '{"access_token":"leaky-token-1"}');
    const error = await failure(adapter.exchangeCode(configuration(), 'c'));
    expect(error.kind).toBe('retryable');
    expect(error.message).not.toContain('leaky-token-1');
  });
});
