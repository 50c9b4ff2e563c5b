import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkOutboundUrl,
  classifyAddress,
  createGuardedAgent,
  hostPatternProblem,
  isOutboundRefusal,
  OutboundRefusedError,
  parseHostAllowList,
  type OutboundResolver,
} from './index';

describe('classifyAddress', () => {
  it.each([
    // IPv4 special ranges
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'reserved'],
    ['192.0.0.192', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    // IPv6 special ranges
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['100::1', 'discard'],
    ['2001:db8::1', 'reserved'],
    // IPv4 embedded in IPv6, leading to a refused IPv4 address
    ['::ffff:127.0.0.1', 'ipv4Mapped'],
    ['::ffff:7f00:1', 'ipv4Mapped'],
    ['::ffff:10.0.0.1', 'ipv4Mapped'],
    ['::ffff:a9fe:a9fe', 'ipv4Mapped'],
    ['::7f00:1', 'unicast'], // IPv4-compatible ::127.0.0.1
    ['::a9fe:a9fe', 'unicast'], // IPv4-compatible ::169.254.169.254
    ['::ffff:0:7f00:1', 'rfc6145'], // SIIT
    ['::ffff:0:a00:1', 'rfc6145'],
    ['2002:7f00:1::', '6to4'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['64:ff9b::7f00:1', 'rfc6052'], // NAT64 well-known prefix
    ['64:ff9b::10.0.0.1', 'rfc6052'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['64:ff9b:1::7f00:1', 'rfc8215'], // NAT64 local-use prefix: refused whatever it embeds
    ['64:ff9b:1::808:808', 'rfc8215'],
    // Teredo: client 127.0.0.1 is ~0x7f000001 = 0x80fffffe; server 65.54.227.120 is public
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo'],
    // Teredo with a private server
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'teredo'],
  ])('refuses %s (%s)', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict).toMatchObject({ allowed: false, range });
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '::808:808', // IPv4-compatible 8.8.8.8
    '::ffff:0:808:808', // SIIT 8.8.8.8
    '2002:808:808::1', // 6to4 8.8.8.8
    '64:ff9b::8.8.8.8', // NAT64 8.8.8.8
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo: server 65.54.227.120, client 8.8.8.8
  ])('accepts the public address %s', (address) => {
    expect(classifyAddress(address).allowed).toBe(true);
  });

  it('names the IPv4 address a translation form leads to', () => {
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:80ff:fffe').embeddedIpv4).toEqual([
      '65.54.227.120',
      '127.0.0.1',
    ]);
    expect(classifyAddress('2002:7f00:1::').embeddedIpv4).toEqual(['127.0.0.1']);
    expect(classifyAddress('::7f00:1').embeddedIpv4).toEqual(['127.0.0.1']);
  });

  it('refuses what is not an address', () => {
    expect(classifyAddress('example.com')).toEqual({ allowed: false, range: 'invalid' });
    expect(classifyAddress('0x7f.1')).toMatchObject({ allowed: false });
  });
});

describe('checkOutboundUrl', () => {
  const refusal = (url: string, policy = {}) => {
    try {
      checkOutboundUrl(url, policy);
    } catch (error) {
      expect(error).toBeInstanceOf(OutboundRefusedError);
      return (error as OutboundRefusedError).reason;
    }
    return undefined;
  };

  it.each([
    ['not a url', 'invalid-url'],
    ['ftp://example.com/x', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['https://user:pass@example.com/hook', 'userinfo'],
    ['https://user@example.com/hook', 'userinfo'],
    ['http://localhost./hook', 'trailing-dot'],
    ['https://example.com./hook', 'trailing-dot'],
    ['http://localhost:8080/hook', 'localhost'],
    ['http://api.localhost/hook', 'localhost'],
    ['http://LOCALHOST/hook', 'localhost'],
    ['http://127.0.0.1:8080/hook', 'non-public-address'],
    ['http://2130706433/hook', 'non-public-address'], // WHATWG parser: 127.0.0.1
    ['http://0x7f.1/hook', 'non-public-address'],
    ['http://[::ffff:127.0.0.1]/hook', 'non-public-address'],
    ['http://[::7f00:1]/hook', 'non-public-address'],
    ['http://[::ffff:0:7f00:1]/hook', 'non-public-address'],
    ['http://[2002:7f00:1::]/hook', 'non-public-address'],
    ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', 'non-public-address'],
    ['http://[64:ff9b::7f00:1]/hook', 'non-public-address'],
    ['http://[64:ff9b:1::a9fe:a9fe]/hook', 'non-public-address'],
    ['http://169.254.169.254/latest/meta-data', 'non-public-address'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(refusal(url)).toBe(reason);
  });

  it('accepts public callback URLs', () => {
    expect(checkOutboundUrl('https://example.com/hook').hostname).toBe('example.com');
    expect(checkOutboundUrl('http://8.8.8.8:8080/hook').port).toBe('8080');
  });

  it('with private addresses allowed, still refuses schemes, credentials and trailing dots', () => {
    const open = { allowPrivateAddresses: true };
    expect(checkOutboundUrl('http://127.0.0.1:8080/hook', open).port).toBe('8080');
    expect(checkOutboundUrl('http://localhost:8080/hook', open).hostname).toBe('localhost');
    expect(refusal('ftp://127.0.0.1/x', open)).toBe('scheme');
    expect(refusal('http://a:b@127.0.0.1/x', open)).toBe('userinfo');
    expect(refusal('http://localhost./x', open)).toBe('trailing-dot');
  });

  it('keeps provider URLs to the allowed hosts; an IP-literal entry admits that address and port only', () => {
    const policy = {
      allowedHosts: [
        'https://*.maximizercrmlive.com',
        'https://api.maximizer.com',
        '127.0.0.1:8091',
        'crm.example.org:8443',
      ],
    };
    expect(checkOutboundUrl('https://caw.maximizercrmlive.com', policy).hostname).toBe(
      'caw.maximizercrmlive.com',
    );
    expect(checkOutboundUrl('https://api.maximizer.com/octopus', policy).pathname).toBe('/octopus');
    expect(checkOutboundUrl('http://127.0.0.1:8091', policy).port).toBe('8091');
    expect(checkOutboundUrl('https://crm.example.org:8443', policy).port).toBe('8443');
    expect(refusal('http://caw.maximizercrmlive.com', policy)).toBe('host-not-allowed'); // scheme pinned
    expect(refusal('https://caw.maximizercrmlive.com:8443', policy)).toBe('host-not-allowed');
    expect(refusal('https://maximizercrmlive.com.evil.example', policy)).toBe('host-not-allowed');
    expect(refusal('https://evilmaximizercrmlive.com', policy)).toBe('host-not-allowed');
    expect(refusal('http://127.0.0.1:8092', policy)).toBe('host-not-allowed');
    expect(refusal('http://127.0.0.2:8091', policy)).toBe('host-not-allowed');
    expect(refusal('http://[::1]:8091', policy)).toBe('host-not-allowed');
    expect(refusal('https://crm.example.org', policy)).toBe('host-not-allowed');
    expect(refusal('http://localhost:8091', policy)).toBe('host-not-allowed');
  });

  it('an allowed name does not admit localhost or private literals', () => {
    expect(refusal('http://localhost:8091', { allowedHosts: ['localhost:8091'] })).toBe('localhost');
  });

  it('messages say which rule, never more', () => {
    expect(() => checkOutboundUrl('http://10.0.0.5:22/', { target: 'callback URL' })).toThrow(
      'callback URL refused by the outbound guard: the host is a loopback, private, link-local or reserved address',
    );
  });
});

describe('host allow-lists', () => {
  it('parses comma-separated host[:port] patterns', () => {
    expect(parseHostAllowList(' 127.0.0.1:8091, *.crm.example.org ,https://x.example:8443')).toEqual([
      '127.0.0.1:8091',
      '*.crm.example.org',
      'https://x.example:8443',
    ]);
    expect(parseHostAllowList(undefined)).toEqual([]);
  });

  it.each(['http://x.example/path', 'user:pw@x.example', '*.10.0.0.1', 'x.example.', 'x.example/'])(
    'refuses the malformed pattern %s',
    (pattern) => {
      expect(hostPatternProblem(pattern)).toBeDefined();
      expect(() => parseHostAllowList(`a.example,${pattern}`)).toThrow();
    },
  );
});

describe('createGuardedAgent (connect time)', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const toLoopback: OutboundResolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const mixed: OutboundResolver = async () => [
    { address: '93.184.216.34', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ];

  async function attempt(origin: string, policy: Parameters<typeof createGuardedAgent>[0]) {
    const agent = createGuardedAgent(policy, { connectTimeoutMs: 2000 });
    try {
      const response = await agent.request({ origin, path: '/', method: 'GET' });
      return await response.body.text();
    } catch (error) {
      return error;
    } finally {
      await agent.close();
    }
  }

  it('refuses an allowed name that resolves to loopback when dialled (DNS rebinding)', async () => {
    const policy = { allowedHosts: [`rebind.example:${port}`], resolve: toLoopback };
    expect(checkOutboundUrl(`http://rebind.example:${port}`, policy).hostname).toBe('rebind.example');
    const outcome = await attempt(`http://rebind.example:${port}`, policy);
    expect(isOutboundRefusal(outcome)).toBe(true);
    expect(String((outcome as Error).message)).not.toMatch(/127\.0\.0\.1/);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    expect(isOutboundRefusal(await attempt(`http://mixed.example:${port}`, { resolve: mixed }))).toBe(true);
  });

  it('refuses a private IP literal at connect time unless an allow-list entry names it', async () => {
    expect(isOutboundRefusal(await attempt(`http://127.0.0.1:${port}`, {}))).toBe(true);
    expect(await attempt(`http://127.0.0.1:${port}`, { allowedHosts: [`127.0.0.1:${port}`] })).toBe(
      'reached',
    );
  });

  it('lets everything through when private addresses are allowed (development callbacks)', async () => {
    expect(await attempt(`http://localhost:${port}`, { allowPrivateAddresses: true })).toBe('reached');
  });
});
