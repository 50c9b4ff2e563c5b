import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Thrown (or passed to a lookup callback) when a callback URL points somewhere it must not. */
export class CallbackRefusedError extends Error {
  readonly code = 'POLLCAST_CALLBACK_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'CallbackRefusedError';
  }
}

// Loopback, private, link-local, CGNAT, multicast, reserved and cloud metadata ranges.
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, incl. 169.254.169.254 metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments (incl. 192.0.0.192 Oracle metadata)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local (incl. fd00:ec2::254, AWS metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['100::', 64], // discard-only
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), -compatible or NAT64 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

/** True when a callback must not go to this IP address (IPv4 or IPv6 literal). */
export function isBlockedAddress(address: string): boolean {
  const unbracketed = address.replace(/^\[|\]$/g, '');
  const version = isIP(unbracketed);
  if (version === 4) return BLOCKED.check(unbracketed, 'ipv4');
  if (version === 6) {
    const ipv4 = embeddedIpv4(unbracketed);
    if (ipv4 !== undefined) return BLOCKED.check(ipv4, 'ipv4');
    return BLOCKED.check(unbracketed, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** Checks what can be checked before any DNS: scheme, credentials, IP literal hosts. */
export function checkCallbackUrl(rawUrl: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new CallbackRefusedError('callback URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackRefusedError(`callback URL scheme ${url.protocol} is not http or https`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) !== 0 && isBlockedAddress(host)) {
    throw new CallbackRefusedError(`callback host ${host} is a private, loopback or reserved address`);
  }
  return url;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `net.connect` lookup that resolves every address of the host and refuses the connection when any
 * of them is blocked (a name with one public and one private address could otherwise be steered).
 * Because it runs at connect time, the address checked is the address dialled: no DNS rebinding gap.
 */
export function guardedLookup(
  hostname: string,
  options: { family?: number | string; all?: boolean } | number,
  callback: LookupCallback,
): void {
  const family = typeof options === 'number' ? options : options.family;
  const wantsAll = typeof options === 'object' && options.all === true;
  const familyNumber =
    family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : typeof family === 'number' ? family : 0;
  dnsLookup(hostname, { all: true, family: familyNumber }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
    if (blocked || addresses.length === 0) {
      const refusal = new CallbackRefusedError(
        blocked
          ? `callback host ${hostname} resolves to ${blocked.address}, a private, loopback or reserved address`
          : `callback host ${hostname} has no address`,
      ) as CallbackRefusedError & NodeJS.ErrnoException;
      return callback(refusal, []);
    }
    if (wantsAll) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}

/** Whether an error (or its causes) is a refusal by this guard. */
export function isCallbackRefusal(error: unknown): error is CallbackRefusedError {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof CallbackRefusedError) return true;
    if (typeof current === 'object' && 'code' in current && current.code === 'POLLCAST_CALLBACK_REFUSED')
      return true;
    current = typeof current === 'object' && 'cause' in current ? current.cause : undefined;
  }
  return false;
}
