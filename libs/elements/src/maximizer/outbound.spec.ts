import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElementRequestError } from '../errors';
import { createMaximizerAdapter } from './adapter';
import { MAXIMIZER_DEFINITION } from './definition';

const OAUTH = {
  'oauth.api.key': 'client-1',
  'oauth.api.secret': 'client-secret-xyz',
  'oauth.callback.url': 'https://app.example.com/cb',
};

function refusalOf(run: () => unknown): ElementRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ElementRequestError);
    return error as ElementRequestError;
  }
  throw new Error('expected a refusal');
}

describe('Maximizer provider targets', () => {
  const adapter = createMaximizerAdapter({
    outbound: { allowedHosts: ['127.0.0.1:8091', 'crm.acme.example'] },
  });
  afterAll(() => adapter.close());

  it('declares its documented cloud hosts', () => {
    expect(MAXIMIZER_DEFINITION.providerHosts).toEqual([
      'https://*.maximizercrmlive.com',
      'https://api.maximizer.com',
    ]);
  });

  it('accepts the cloud data centers, the Octopus API host and the operator allow-list', () => {
    expect(adapter.providerTargets({})).toEqual([
      { configKey: 'maximizer.datacenter', url: 'https://caw.maximizercrmlive.com' },
    ]);
    expect(adapter.providerTargets({ 'maximizer.datacenter': 'ukw' })[0]?.url).toBe(
      'https://ukw.maximizercrmlive.com',
    );
    expect(adapter.providerTargets({ 'maximizer.url': 'https://api.maximizer.com/' })[0]).toEqual({
      configKey: 'maximizer.url',
      url: 'https://api.maximizer.com',
    });
    expect(adapter.providerTargets({ 'maximizer.url': 'http://127.0.0.1:8091' })[0]?.url).toBe(
      'http://127.0.0.1:8091',
    );
    expect(adapter.providerTargets({ 'maximizer.url': 'https://crm.acme.example/mx' })[0]?.url).toBe(
      'https://crm.acme.example/mx',
    );
  });

  it.each([
    'http://127.0.0.1:8092', // loopback, another port than the allowed one
    'http://127.0.0.2:8091',
    'http://10.0.0.8',
    'http://169.254.169.254/latest',
    'http://100.100.100.200',
    'http://[::1]:8091',
    'http://[::ffff:127.0.0.1]:8091',
    'http://[::7f00:1]:8091',
    'http://[::ffff:0:7f00:1]:8091',
    'http://[2002:7f00:1::]:8091',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:8091',
    'http://[64:ff9b::7f00:1]:8091',
    'http://[64:ff9b:1::a9fe:a9fe]',
    'http://[fd00:ec2::254]',
    'http://localhost:8091',
    'http://localhost.:8091',
    'https://caw.maximizercrmlive.com.',
    'https://user:pass@caw.maximizercrmlive.com',
    'http://caw.maximizercrmlive.com', // the cloud is https only
    'https://evil.example.com',
    'https://maximizercrmlive.com.evil.example',
  ])('refuses maximizer.url %s naming the key', (url) => {
    const error = refusalOf(() => adapter.providerTargets({ 'maximizer.url': url }));
    expect(error.configKey).toBe('maximizer.url');
    expect(error.message).toMatch(
      /^maximizer: configuration 'maximizer.url': provider URL refused by the outbound guard/,
    );
  });

  it('computes targets without judging them when asked (comparing a stored configuration)', () => {
    expect(adapter.providerTargets({ 'maximizer.url': 'http://10.0.0.8' }, { check: false })).toEqual([
      { configKey: 'maximizer.url', url: 'http://10.0.0.8' },
    ]);
  });

  it('refuses before any I/O when a call is made with a refused URL', async () => {
    await expect(
      adapter.exchangeCode({ ...OAUTH, 'maximizer.url': 'http://10.1.2.3:8080' }, 'code-1'),
    ).rejects.toMatchObject({ name: 'ElementRequestError', configKey: 'maximizer.url', kind: 'permanent' });
  });
});

describe('Maximizer calls at connect time', () => {
  let server: Server;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"access_token":"at","expires_in":60,"refresh_token":"rt"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses an allowed name whose DNS answer is loopback by the time it is dialled', async () => {
    // The name passes the URL check (it is on the allow-list and no DNS is asked then); the connector
    // resolves it to loopback (DNS rebinding) and refuses to dial.
    const adapter = createMaximizerAdapter({
      outbound: {
        allowedHosts: [`crm.acme.example:${port}`],
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      },
    });
    const configuration = { ...OAUTH, 'maximizer.url': `http://crm.acme.example:${port}` };
    expect(adapter.providerTargets(configuration)).toHaveLength(1);
    const error = await adapter.exchangeCode(configuration, 'code-1').catch((caught: unknown) => caught);
    await adapter.close();
    expect(error).toMatchObject({
      name: 'ElementRequestError',
      configKey: 'maximizer.url',
      kind: 'permanent',
    });
    expect((error as Error).message).toBe(
      "maximizer oauth/token (authorization_code): provider URL refused by the outbound guard (configuration 'maximizer.url')",
    );
    expect(requests).toBe(0);
  });

  it('reaches the same server through its allowed IP literal', async () => {
    const adapter = createMaximizerAdapter({ outbound: { allowedHosts: [`127.0.0.1:${port}`] } });
    await expect(
      adapter.exchangeCode({ ...OAUTH, 'maximizer.url': `http://127.0.0.1:${port}` }, 'code-1'),
    ).resolves.toMatchObject({ accessToken: 'at' });
    await adapter.close();
    expect(requests).toBe(1);
  });
});
