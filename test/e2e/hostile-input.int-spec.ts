import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import { authorizeAtSimulator, createInstance, SIM_CLIENT } from '../support/e2e-helpers';

/**
 * Input that PostgreSQL or the HTTP stack cannot take (U+0000, lone surrogates, offsets beyond ±15:59,
 * dates outside the supported range, oversized Authorization headers, non-integer page sizes) answers
 * a 4xx naming the field on every public API — never a 5xx. Each case here answered 500 or 503 before.
 */
describe('hostile input answers 4xx naming the field, on the real services and database', () => {
  let platform: RunningPlatform;
  // Input is checked before anything is looked up: the refusals need no instance to exist.
  let instanceId = '1';

  beforeAll(async () => {
    platform = await startPlatform({ logLevel: 'warn' });
  }, 240000);

  afterAll(async () => {
    await platform?.stop();
  });

  interface Answer {
    status: number;
    contentType: string | null;
    body: {
      requestId?: string;
      code?: string;
      message?: string;
      errors?: { path: string; message: string }[];
    };
  }

  async function call(
    base: string,
    method: string,
    path: string,
    options: { body?: string; authorization?: string } = {},
  ): Promise<Answer> {
    const response = await fetch(`${base}/elements/api-v2${path}`, {
      method,
      headers: {
        authorization: options.authorization ?? platform.authorization,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    let body: Answer['body'] = {};
    try {
      body = JSON.parse(text) as Answer['body'];
    } catch {
      body = { message: text };
    }
    return { status: response.status, contentType: response.headers.get('content-type'), body };
  }

  /** A 400 in the error model whose errors name `field`. */
  function expectBadRequestNaming(answer: Answer, field: string): void {
    expect({ status: answer.status, body: answer.body }).toMatchObject({
      status: 400,
      body: { requestId: expect.any(String), code: 'VALIDATION_FAILED', message: expect.any(String) },
    });
    expect(answer.contentType).toMatch(/^application\/json/);
    expect((answer.body.errors ?? []).map((error) => error.path)).toContain(field);
  }

  const services = () => ({
    instance: platform.instanceServiceUrl,
    poller: platform.pollerUrl,
    dispatcher: platform.dispatcherUrl,
  });

  it('instance-service: U+0000 and lone surrogates in query, path and body', async () => {
    const base = services().instance;
    expectBadRequestNaming(await call(base, 'GET', '/instances?tags[]=%00'), 'tags[]');
    expectBadRequestNaming(await call(base, 'GET', '/instances?tags=a%00b'), 'tags');
    expectBadRequestNaming(await call(base, 'GET', '/instances/%00'), 'id');
    expectBadRequestNaming(
      await call(base, 'PATCH', `/instances/${instanceId}/configuration/a%00`, {
        body: '{"propertyValue":"x"}',
      }),
      'configId',
    );
    expectBadRequestNaming(
      await call(base, 'PATCH', `/instances/${instanceId}`, { body: '{"name":"a\\u0000b"}' }),
      'name',
    );
    expectBadRequestNaming(
      await call(base, 'PATCH', `/instances/${instanceId}`, { body: '{"tags":["ok","\\ud800"]}' }),
      'tags.1',
    );
    expectBadRequestNaming(
      await call(base, 'PATCH', `/instances/${instanceId}`, {
        body: '{"configuration":{"event.poller.configuration":{"contacts":{"url":"/x\\u0000"}}}}',
      }),
      'configuration.event.poller.configuration.contacts.url',
    );
    expectBadRequestNaming(
      await call(base, 'PATCH', `/instances/${instanceId}`, { body: '{"configuration":{"a\\udc00":"x"}}' }),
      'configuration',
    );
  });

  it('the same on poller-service and dispatcher', async () => {
    const { poller, dispatcher } = services();
    expectBadRequestNaming(await call(poller, 'GET', '/instances/%00/poller'), 'id');
    expectBadRequestNaming(
      await call(poller, 'GET', `/instances/${instanceId}/polls?resource=%00`),
      'resource',
    );
    expectBadRequestNaming(
      await call(poller, 'POST', `/instances/${instanceId}/polls`, { body: '{"resource":"\\ud83d"}' }),
      'resource',
    );
    expectBadRequestNaming(
      await call(poller, 'PUT', `/instances/${instanceId}/poller/con%00tacts/watermark`, {
        body: '{"watermark":"2026-01-01T00:00:00Z"}',
      }),
      'resource',
    );
    expectBadRequestNaming(await call(dispatcher, 'GET', '/instances/events/%00'), 'eventId');
    expectBadRequestNaming(await call(dispatcher, 'GET', `/instances/${instanceId}/events/x%00`), 'eventId');
    expectBadRequestNaming(
      await call(dispatcher, 'PUT', `/instances/${instanceId}/events/redeliver`, {
        body: '{"eventIds":["\\u0000"]}',
      }),
      'eventIds.0',
    );
  });

  it('percent-encodings that are not UTF-8, forged page tokens and NUL in a parameter name', async () => {
    const { instance, poller, dispatcher } = services();
    for (const [base, path] of [
      [instance, '/instances/%ED%A0%80'],
      [poller, '/instances/%FF/poller'],
      [dispatcher, '/instances/events/%ED%A0%80'],
    ] as const) {
      const answer = await call(base, 'GET', path);
      expect({
        status: answer.status,
        requestId: typeof answer.body.requestId,
        code: answer.body.code,
      }).toEqual({
        status: 400,
        requestId: 'string',
        code: 'VALIDATION_FAILED',
      });
      expect(answer.contentType).toMatch(/^application\/json/);
    }
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expectBadRequestNaming(
      await call(
        dispatcher,
        'GET',
        `/instances/${instanceId}/events?nextPage=${forged(['2026-01-01 00:00:00+00', 'a\u0000'])}`,
      ),
      'nextPage',
    );
    expectBadRequestNaming(
      await call(
        poller,
        'GET',
        `/instances/${instanceId}/polls?nextPage=${forged({ startedAt: '0000-01-01T00:00:00Z', id: 'x' })}`,
      ),
      'nextPage',
    );
    expectBadRequestNaming(await call(instance, 'GET', '/instances?a%00b=1'), '(query)');
  });

  it('timestamps whose offset or date PostgreSQL refuses', async () => {
    const { poller, dispatcher } = services();
    const events = `/instances/${instanceId}/events`;
    expectBadRequestNaming(await call(dispatcher, 'GET', `${events}?to=2026-01-01T00:00:00%2B21:21`), 'to');
    expectBadRequestNaming(await call(dispatcher, 'GET', `${events}?from=2026-01-01T00:00:00-16:00`), 'from');
    expectBadRequestNaming(await call(dispatcher, 'GET', `${events}?from=0000-01-01T00:00:00Z`), 'from');
    expectBadRequestNaming(await call(dispatcher, 'GET', `${events}?to=2026-02-30T00:00:00Z`), 'to');
    expectBadRequestNaming(
      await call(dispatcher, 'PUT', `${events}/redeliver`, { body: '{"from":"2026-01-01T00:00:00+21:21"}' }),
      'from',
    );
    expectBadRequestNaming(
      await call(poller, 'PUT', `/instances/${instanceId}/poller/contacts/watermark`, {
        body: '{"watermark":"2026-01-01T00:00:00+21:21"}',
      }),
      'watermark',
    );
    expectBadRequestNaming(
      await call(poller, 'PUT', `/instances/${instanceId}/poller/contacts/watermark`, {
        body: '{"watermark":"0000-01-01T00:00:00Z"}',
      }),
      'watermark',
    );
  });

  it('a NUL in a create body is refused before the grant code is exchanged: the code still works', async () => {
    const code = await authorizeAtSimulator(platform.simUrl, 'https://mycoolapp.com');
    const body = (name: string) =>
      JSON.stringify({
        element: { key: 'maximizer' },
        providerData: { code },
        name,
        configuration: {
          'oauth.callback.url': 'https://mycoolapp.com',
          'oauth.api.key': SIM_CLIENT.id,
          'oauth.api.secret': SIM_CLIENT.secret,
        },
      });
    expectBadRequestNaming(
      await call(services().instance, 'POST', '/instances', { body: body('a\u0000b') }),
      'name',
    );
    const created = await call(services().instance, 'POST', '/instances', { body: body('clean') });
    expect(created.status).toBe(200);
  });

  it('one 400 rule for page sizes on the three services', async () => {
    const { instance, poller, dispatcher } = services();
    instanceId = String(
      await createInstance(platform, {
        name: 'hostile',
        callbackUrl: new URL('/hooks/hostile', platform.sinkUrl).toString(),
        refreshInterval: '3600',
        pollerConfiguration: { contacts: {} },
      }),
    );
    // The poller learns of the instance from its snapshot; its API answers 404 until then.
    await waitFor(
      async () =>
        (
          await fetch(`${platform.pollerUrl}/elements/api-v2/instances/${instanceId}/poller`, {
            headers: { authorization: platform.authorization },
          })
        ).status === 200,
      { what: 'the poller to know the instance', timeoutMs: 30000 },
    );
    for (const pageSize of ['abc', '1.5', '0', '-1', '1e3', '99999999999999999999']) {
      expectBadRequestNaming(await call(instance, 'GET', `/instances?pageSize=${pageSize}`), 'pageSize');
      expectBadRequestNaming(
        await call(poller, 'GET', `/instances/${instanceId}/polls?pageSize=${pageSize}`),
        'pageSize',
      );
      expectBadRequestNaming(
        await call(dispatcher, 'GET', `/instances/${instanceId}/events?pageSize=${pageSize}`),
        'pageSize',
      );
    }
    expect((await call(instance, 'GET', '/instances?pageSize=500')).status).toBe(200);
    expect((await call(poller, 'GET', `/instances/${instanceId}/polls?pageSize=200`)).status).toBe(200);
    expect((await call(dispatcher, 'GET', `/instances/${instanceId}/events?pageSize=500`)).status).toBe(200);
  });

  it('an Authorization header over 4 KB answers 401 everywhere', async () => {
    const oversized = `User ${'u'.repeat(5000)}, Organization o`;
    for (const [base, path] of [
      [services().instance, '/instances'],
      [services().poller, `/instances/${instanceId}/poller`],
      [services().dispatcher, `/instances/${instanceId}/events`],
    ] as const) {
      const answer = await call(base, 'GET', path, { authorization: oversized });
      expect({ status: answer.status, code: answer.body.code, message: answer.body.message }).toEqual({
        status: 401,
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/Authorization header is too long/),
      });
    }
  });
});
