import {
  CallbackRefusedError,
  checkCallbackUrl,
  guardedLookup,
  isBlockedAddress,
  isCallbackRefusal,
} from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '[::1]',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it('refuses non-http schemes, bad URLs and private IP literals unless allowed', () => {
    expect(() => checkCallbackUrl('ftp://example.com/x', false)).toThrow(CallbackRefusedError);
    expect(() => checkCallbackUrl('file:///etc/passwd', true)).toThrow(/scheme/);
    expect(() => checkCallbackUrl('not a url', false)).toThrow(/not a valid URL/);
    expect(() => checkCallbackUrl('http://127.0.0.1:8080/hook', false)).toThrow(/private/);
    expect(() => checkCallbackUrl('http://[::ffff:127.0.0.1]/hook', false)).toThrow(/private/);
    expect(checkCallbackUrl('http://127.0.0.1:8080/hook', true).port).toBe('8080');
    expect(checkCallbackUrl('https://example.com/hook', false).hostname).toBe('example.com');
  });

  it('refuses a name that resolves to loopback at lookup time', async () => {
    const error = await new Promise<unknown>((resolve) => {
      guardedLookup('localhost', { all: true }, (lookupError) => resolve(lookupError));
    });
    expect(isCallbackRefusal(error)).toBe(true);
    expect(isCallbackRefusal(new Error('wrapped', { cause: error }))).toBe(true);
    expect(isCallbackRefusal(new Error('other'))).toBe(false);
  });
});
