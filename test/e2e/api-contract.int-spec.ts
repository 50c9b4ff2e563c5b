import { startPlatform, type RunningPlatform } from '../support/platform';

interface Operation {
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: unknown;
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }
  >;
  security?: unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * The three public APIs share one per-organization rate limit and declare every answer in their
 * OpenAPI documents (the fuzz, `npm run test:fuzz`, then holds them to it).
 */
describe('public API contract: rate limit and OpenAPI on instance-service, poller-service and dispatcher', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    // A small bucket that refills slowly: the fourth request of a burst is refused.
    platform = await startPlatform({
      logLevel: 'warn',
      env: { RATE_LIMIT_PER_SECOND: '0.05', RATE_LIMIT_BURST: '3' },
    });
  }, 240000);

  afterAll(async () => {
    await platform?.stop();
  });

  const services = () =>
    [
      ['instance-service', platform.instanceServiceUrl, '/elements/api-v2/instances/1'],
      ['poller-service', platform.pollerUrl, '/elements/api-v2/instances/1/poller'],
      ['dispatcher', platform.dispatcherUrl, '/elements/api-v2/instances/1/events'],
    ] as const;

  it('each API allows the burst, then answers 429 with Retry-After in the error model', async () => {
    for (const [service, base, path] of services()) {
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const response = await fetch(`${base}${path}`, {
          headers: { authorization: platform.authorization },
        });
        statuses.push(response.status);
        if (response.status === 429) refused = response;
        else await response.body?.cancel();
      }
      expect({ service, statuses }).toEqual({ service, statuses: [404, 404, 404, 429] });
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused?.json()).toMatchObject({
        requestId: refused?.headers.get('x-request-id'),
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^Too many requests for this organization; retry after \d+ s$/),
        errors: [],
      });
    }
  });

  it('every public operation declares its parameters, body and error answers', async () => {
    for (const [service, base] of services()) {
      const document = (await (await fetch(`${base}/docs-json`)).json()) as {
        paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
        components: { schemas: Record<string, unknown> };
      };
      expect(document.components.schemas).toHaveProperty('ErrorBodyDto');
      expect(document.components.schemas['ErrorBodyDto']).toMatchObject({
        required: expect.arrayContaining(['requestId', 'code', 'message', 'errors']),
        properties: { code: { allOf: [{ $ref: '#/components/schemas/ErrorCode' }] } },
      });
      expect(document.components.schemas['ErrorCode']).toMatchObject({
        type: 'string',
        enum: expect.arrayContaining(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED']),
      });
      const operations = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/elements/api-v2/'))
        .flatMap(([path, item]) =>
          METHODS.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] }] : [])),
        );
      expect(operations.length).toBeGreaterThanOrEqual(4);
      for (const { path, method, operation } of operations) {
        const where = `${service} ${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(operation.responses);
        const expected = ['400', '401', '429', ...(path.includes('{') ? ['404'] : [])];
        if (service !== 'instance-service') expected.push('503');
        expect({ where, missing: expected.filter((status) => !statuses.includes(status)) }).toEqual({
          where,
          missing: [],
        });
        expect({ where, success: statuses.some((status) => status.startsWith('2')) }).toEqual({
          where,
          success: true,
        });
        for (const status of statuses.filter((code) => Number(code) >= 400)) {
          expect({
            where,
            status,
            schema: operation.responses[status]?.content?.['application/json']?.schema,
          }).toEqual({
            where,
            status,
            schema: { $ref: '#/components/schemas/ErrorBodyDto' },
          });
        }
        expect({ where, retryAfter: operation.responses['429']?.headers }).toEqual({
          where,
          retryAfter: { 'Retry-After': expect.any(Object) },
        });
        const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect({ where, params: declared.map((parameter) => parameter.name).sort() }).toEqual({
          where,
          params: [...pathParameters].sort(),
        });
        const takesBody = ['post', 'put', 'patch'].includes(method) && !path.endsWith('/enabled');
        expect({ where, body: operation.requestBody !== undefined }).toEqual({ where, body: takesBody });
      }
    }
  });

  it('page sizes are declared as integers with their bounds', async () => {
    for (const [base, path, maximum] of [
      [platform.instanceServiceUrl, '/elements/api-v2/instances', 500],
      [platform.pollerUrl, '/elements/api-v2/instances/{id}/polls', 200],
      [platform.dispatcherUrl, '/elements/api-v2/instances/{id}/events', 500],
    ] as const) {
      const document = (await (await fetch(`${base}/docs-json`)).json()) as {
        paths: Record<string, { get: Operation }>;
      };
      const pageSize = document.paths[path]?.get.parameters?.find(
        (parameter) => parameter.name === 'pageSize',
      );
      expect(pageSize?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum });
    }
  });
});
