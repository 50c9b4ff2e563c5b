// Which IP addresses a tenant-aimed request may reach. Classes come from ipaddr.js (a maintained table
// of the IANA special-purpose registries), not from a hand-written list: an address is public when
// its range is `unicast`. IPv6 forms that carry an IPv4 address (mapped, compatible, SIIT, NAT64,
// 6to4, Teredo) are judged by the IPv4 address they lead to.
import ipaddr from 'ipaddr.js';

export interface AddressVerdict {
  readonly allowed: boolean;
  /** ipaddr.js range name (`unicast`, `loopback`, `private`, `6to4`…), or `invalid`. */
  readonly range: string;
  /** The IPv4 address(es) an IPv6 translation form leads to, when there is one. */
  readonly embeddedIpv4?: readonly string[];
}

/** Strips `[…]` (URL form) and an IPv6 zone index (`fe80::1%eth0`). */
function bare(address: string): string {
  return address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
}

function ipv4FromBits(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function verdictForIpv4(address: ipaddr.IPv4): AddressVerdict {
  const range = address.range();
  return { allowed: range === 'unicast', range };
}

/** The IPv4 addresses an IPv6 translation form reaches; undefined when the address is no such form. */
function embeddedIpv4Of(address: ipaddr.IPv6, range: string): ipaddr.IPv4[] | undefined {
  const parts = address.parts;
  const word = (index: number) => parts[index] ?? 0;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // SIIT ::ffff:0:a.b.c.d
      return [ipv4FromBits(word(6), word(7))];
    case 'rfc6052': {
      // NAT64: the well-known prefix 64:ff9b::/96 embeds the IPv4 address in its last 32 bits. The
      // local-use prefix 64:ff9b:1::/48 (RFC 8215) leads into the operator's own network whatever it
      // embeds; it is refused as a whole (see classifyAddress).
      if (word(1) === 0xff9b && word(2) === 0 && word(3) === 0 && word(4) === 0 && word(5) === 0) {
        return [ipv4FromBits(word(6), word(7))];
      }
      return undefined;
    }
    case '6to4': // 2002:AABB:CCDD::/48
      return [ipv4FromBits(word(1), word(2))];
    case 'teredo':
      // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC — server IPv4 in bits 32..63, the client's IPv4 is the
      // bitwise NOT of the last 32 bits (RFC 4380 §4). Both must be public.
      return [ipv4FromBits(word(2), word(3)), ipv4FromBits(~word(6) & 0xffff, ~word(7) & 0xffff)];
    default:
      // IPv4-compatible ::a.b.c.d (deprecated, ::/96). ipaddr.js calls it `unicast`.
      if (parts.slice(0, 6).every((part) => part === 0)) return [ipv4FromBits(word(6), word(7))];
      return undefined;
  }
}

/**
 * Classifies an IPv4 or IPv6 literal (brackets and zone index allowed). Allowed only when public:
 * anything whose ipaddr.js range is not `unicast` is refused, and IPv6 translation forms are allowed
 * only when every IPv4 address they embed is.
 */
export function classifyAddress(address: string): AddressVerdict {
  const text = bare(address);
  if (!ipaddr.isValid(text)) return { allowed: false, range: 'invalid' };
  // ipaddr.parse accepts legacy IPv4 forms (octal, hex, fewer parts); callers hand it what DNS or the
  // WHATWG URL parser produced, which are canonical, so the four-part check below only guards misuse.
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return { allowed: false, range: 'invalid' };
    return verdictForIpv4(parsed as ipaddr.IPv4);
  }
  const ipv6 = parsed as ipaddr.IPv6;
  const range = ipv6.range();
  if (range === 'unspecified' || range === 'loopback') return { allowed: false, range };
  if (range === 'rfc6052' && ipv6.parts[1] === 0xff9b && ipv6.parts[2] === 1) {
    return { allowed: false, range: 'rfc8215' };
  }
  const embedded = embeddedIpv4Of(ipv6, range);
  if (embedded !== undefined) {
    const verdicts = embedded.map(verdictForIpv4);
    return {
      allowed: verdicts.every((verdict) => verdict.allowed),
      range,
      embeddedIpv4: embedded.map((ipv4) => ipv4.toString()),
    };
  }
  return { allowed: range === 'unicast', range };
}

/** ipaddr.js' four-part decimal form (`IPv4.isValidFourPartDecimal` tests it after parsing). */
const FOUR_PART_DECIMAL = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/;

/** True when the text is an IPv4 or IPv6 literal (brackets allowed). */
export function isIpLiteral(host: string): boolean {
  const text = bare(host);
  // ipaddr.IPv4.isValidFourPartDecimal, with its cheap pattern first: isValid throws and catches an
  // Error for every host name, which showed in the profile of each outbound check.
  return ipaddr.IPv6.isValid(text) || (FOUR_PART_DECIMAL.test(text) && ipaddr.IPv4.isValid(text));
}

/** The canonical text of an IP literal (for comparing allow-list entries with URL hosts). */
export function canonicalIp(host: string): string {
  const parsed = ipaddr.parse(bare(host));
  return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toNormalizedString() : parsed.toString();
}
