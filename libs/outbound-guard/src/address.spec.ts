import ipaddr from 'ipaddr.js';
import { isIpLiteral } from './address';

describe('isIpLiteral', () => {
  // The answers ipaddr.js gives (IPv6, or IPv4 in four-part decimal), for hosts of every shape.
  const hosts = [
    'example.com',
    'bench.example',
    'localhost',
    '1.2.3.4',
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '256.1.1.1',
    '01.2.3.4',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '1.2.3.4.5',
    '1.2.3.',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '[fe80::1%25eth0]',
    'fe80::1%eth0',
    '1.2.3.4 ',
    '',
    '١.٢.٣.٤',
  ];

  it.each(hosts)('%j: as ipaddr.js says', (host) => {
    // As the guard reads a URL host: trimmed, without brackets or an IPv6 zone.
    const bare = host
      .trim()
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '');
    expect(isIpLiteral(host)).toBe(ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare));
  });

  it('knows the usual literals', () => {
    expect(isIpLiteral('10.0.0.1')).toBe(true);
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('127.1')).toBe(false); // not four-part decimal: a host name to resolve
    expect(isIpLiteral('api.example.com')).toBe(false);
  });
});
