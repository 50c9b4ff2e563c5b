import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InstanceClient,
  InstanceServiceRefusedError,
  InstanceServiceUnavailableError,
} from './instance-client';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A stand-in for instance-service that answers what each test tells it to. */
async function fakeInstanceService(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handler(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function reply(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('InstanceClient', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });
  async function clientFor(handler: Handler, timeoutMs?: number): Promise<InstanceClient> {
    const fake = await fakeInstanceService(handler);
    servers.push(fake.server);
    return new InstanceClient({
      baseUrl: fake.url,
      serviceToken: 'svc-token',
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  }

  it('sends the service token and JSON body, and validates each answer by its schema', async () => {
    const seen: { method?: string; url?: string; token?: unknown; body: string }[] = [];
    const client = await clientFor((request, body, response) => {
      seen.push({
        method: request.method,
        url: request.url,
        token: request.headers['x-pollcast-service-token'],
        body,
      });
      if (request.url === '/internal/auth/verify')
        return reply(response, 200, { organizationId: 'o', userId: 'u' });
      if (request.url?.endsWith('/access-token'))
        return reply(response, 200, { accessToken: 'a', expiresAt: '2030-01-01T00:00:00Z' });
      if (request.url?.endsWith('/delivery'))
        return reply(response, 200, {
          instanceId: 'i/1',
          organizationId: 'o',
          elementKey: 'maximizer',
          eventsEnabled: true,
          callbackUrl: null,
          signatureKey: 'k',
        });
      response.writeHead(204).end();
    });
    // A missing instanceId is read as null: the caller may touch every instance of its organization.
    await expect(client.verifyAuthorization('User u, Organization o')).resolves.toEqual({
      organizationId: 'o',
      userId: 'u',
      instanceId: null,
    });
    await expect(client.accessToken('i/1', { forceRefresh: true, rejectedToken: 'old' })).resolves.toEqual({
      accessToken: 'a',
      expiresAt: '2030-01-01T00:00:00Z',
    });
    await expect(client.deliveryInfo('i/1')).resolves.toMatchObject({ instanceId: 'i/1', signatureKey: 'k' });
    await expect(client.disableEvents('i/1', 'callback answered 410 Gone')).resolves.toBeUndefined();
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/internal/auth/verify',
        token: 'svc-token',
        body: '{"authorization":"User u, Organization o"}',
      },
      {
        method: 'POST',
        url: '/internal/instances/i%2F1/access-token',
        token: 'svc-token',
        body: '{"forceRefresh":true,"rejectedToken":"old"}',
      },
      { method: 'GET', url: '/internal/instances/i%2F1/delivery', token: 'svc-token', body: '' },
      {
        method: 'POST',
        url: '/internal/instances/i%2F1/events/disable',
        token: 'svc-token',
        body: '{"reason":"callback answered 410 Gone"}',
      },
    ]);
  });

  it("refuses with the endpoint's documented statuses and the upstream message; other statuses are unavailable", async () => {
    const client = await clientFor((request, _body, response) => {
      if (request.url === '/internal/auth/verify')
        return reply(response, 401, { message: 'Invalid credentials' });
      if (request.url === '/internal/instances/gone/access-token')
        return reply(response, 404, { message: 'nope' });
      if (request.url === '/internal/instances/stale/access-token')
        return reply(response, 409, { message: 'refresh refused', valid: false });
      if (request.url === '/internal/instances/gone/delivery')
        return reply(response, 404, { message: 'nope' });
      return reply(response, 503, { message: 'database down' });
    });
    const refused = (await failure(client.verifyAuthorization('User x'))) as InstanceServiceRefusedError;
    expect(refused).toBeInstanceOf(InstanceServiceRefusedError);
    expect(refused).toMatchObject({ status: 401, upstreamMessage: 'Invalid credentials' });
    await expect(failure(client.accessToken('gone', { forceRefresh: false }))).resolves.toMatchObject({
      status: 404,
    });
    await expect(failure(client.accessToken('stale', { forceRefresh: false }))).resolves.toMatchObject({
      status: 409,
      upstreamMessage: 'refresh refused',
    });
    await expect(failure(client.deliveryInfo('gone'))).resolves.toBeInstanceOf(InstanceServiceRefusedError);
    const unavailable = (await failure(client.deliveryInfo('other'))) as InstanceServiceUnavailableError;
    expect(unavailable).toBeInstanceOf(InstanceServiceUnavailableError);
    expect(unavailable).toMatchObject({ failure: 'error_status', status: 503, reason: 'database down' });
    // The instance id stays out of the message (it is tenant data); the endpoint is named instead.
    expect(unavailable.message).toBe(
      'instance-service answered 503 to GET /internal/instances/{id}/delivery: database down',
    );
  });

  it('reads an answer that does not match its schema as unavailable', async () => {
    const client = await clientFor((_request, _body, response) => reply(response, 200, { accessToken: '' }));
    await expect(failure(client.accessToken('i', { forceRefresh: false }))).resolves.toMatchObject({
      failure: 'unexpected_body',
      status: 200,
    });
  });

  it('is unavailable when instance-service does not answer in time, or not at all', async () => {
    const slow = await clientFor(() => undefined, 100);
    await expect(failure(slow.deliveryInfo('i'))).resolves.toMatchObject({
      failure: 'no_answer',
      status: null,
    });
    const closed = new InstanceClient({ baseUrl: 'http://127.0.0.1:9', serviceToken: 't' });
    const error = (await failure(closed.verifyAuthorization('User a'))) as InstanceServiceUnavailableError;
    expect(error).toBeInstanceOf(InstanceServiceUnavailableError);
    expect(error.message).toMatch(/^instance-service did not answer POST \/internal\/auth\/verify: /);
  });

  it("rejects with the caller's abort, not as unavailable", async () => {
    const client = await clientFor(() => undefined);
    const controller = new AbortController();
    const pending = failure(client.accessToken('i', { forceRefresh: false }, controller.signal));
    controller.abort();
    expect(await pending).not.toBeInstanceOf(InstanceServiceUnavailableError);
  });
});
