// What a URL must look like before anything is resolved or dialled, and the host patterns operators
// and elements use to say where provider calls may go.
import type { LookupAddress } from 'node:dns';
import { canonicalIp, classifyAddress, isIpLiteral } from './address';

export type OutboundRefusalReason =
  | 'invalid-url'
  | 'scheme'
  | 'userinfo'
  | 'trailing-dot'
  | 'localhost'
  | 'host-not-allowed'
  | 'non-public-address'
  | 'no-address';

const REASON_TEXT: Record<OutboundRefusalReason, string> = {
  'invalid-url': 'it is not an absolute URL',
  scheme: 'only http and https are allowed',
  userinfo: 'credentials in the URL (user:password@) are not allowed',
  'trailing-dot': 'a host name ending in "." is not allowed',
  localhost: '"localhost" names are not allowed',
  'host-not-allowed': 'the host is not one this target may call',
  'non-public-address': 'the host is a loopback, private, link-local or reserved address',
  'no-address': 'the host has no address',
};

/**
 * A URL or connection the outbound guard refused. The message says which rule, never what a name
 * resolved to: tenants see it (400 messages, lastError), and an internal address's status must not
 * leak through it.
 */
export class OutboundRefusedError extends Error {
  readonly code = 'POLLCAST_OUTBOUND_REFUSED';
  constructor(
    readonly reason: OutboundRefusalReason,
    /** What the guarded URL is, for the message ("callback URL", "provider URL"). */
    readonly target = 'URL',
  ) {
    super(`${target} refused by the outbound guard: ${REASON_TEXT[reason]}`);
    this.name = 'OutboundRefusedError';
  }
}

/** Whether an error, or one of its causes, is a refusal by the outbound guard. */
export function isOutboundRefusal(error: unknown): error is OutboundRefusedError {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof OutboundRefusedError) return true;
    if ('code' in current && current.code === 'POLLCAST_OUTBOUND_REFUSED') return true;
    current = 'cause' in current ? current.cause : undefined;
  }
  return false;
}

/** Resolves every address of a name (injectable: tests aim names at loopback without DNS). */
export type OutboundResolver = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export interface OutboundPolicy {
  /** Says what is guarded in refusal messages ("callback URL", "maximizer provider URL"). */
  readonly target?: string;
  /**
   * Host patterns the URL must match (`[scheme://]host[:port]`, `*.suffix` for subdomains); an
   * IP-literal pattern also lets that exact address through even when it is not public (an
   * on-premise server, the simulator in development). Undefined: any host (callbacks).
   */
  readonly allowedHosts?: readonly string[];
  /** Skip the address checks entirely (POLLCAST_ALLOW_PRIVATE_CALLBACKS, callbacks in development). */
  readonly allowPrivateAddresses?: boolean;
  /** Name resolution for the connect-time check; default: the system resolver (`dns.lookup`). */
  readonly resolve?: OutboundResolver;
}

interface HostPattern {
  readonly scheme: 'http:' | 'https:' | undefined;
  /** Lower case; `*.example.com` for subdomains; canonical text for IP literals. */
  readonly host: string;
  readonly wildcard: boolean;
  readonly ipLiteral: boolean;
  /** Undefined: the scheme's default port only. */
  readonly port: number | undefined;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Why a host pattern is malformed, or undefined when it is fine. */
export function hostPatternProblem(pattern: string): string | undefined {
  try {
    parseHostPattern(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function parseHostPattern(raw: string): HostPattern {
  const pattern = raw.trim();
  const schemeMatch = /^(https?):\/\//i.exec(pattern);
  const scheme = schemeMatch ? (`${schemeMatch[1]?.toLowerCase()}:` as 'http:' | 'https:') : undefined;
  const rest = schemeMatch ? pattern.slice(schemeMatch[0].length) : pattern;
  const wildcard = rest.startsWith('*.');
  const hostAndPort = wildcard ? rest.slice(2) : rest;
  // Parse with the WHATWG parser so the host is compared in the form URLs carry (IDNA, IPv6 brackets).
  let url: URL;
  try {
    url = new URL(`${scheme ?? 'http:'}//${hostAndPort}`);
  } catch {
    throw new Error(`"${pattern}" is not host[:port] (or *.domain[:port], optionally with http(s)://)`);
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    hostAndPort.endsWith('/')
  ) {
    throw new Error(`"${pattern}" must be host[:port] only (no path, query or credentials)`);
  }
  const host = url.hostname.toLowerCase();
  if (host === '' || host.endsWith('.')) throw new Error(`"${pattern}" has no usable host`);
  const ipLiteral = isIpLiteral(host);
  if (wildcard && ipLiteral) throw new Error(`"${pattern}": a wildcard needs a domain name`);
  const explicitPort = /:(\d+)$/.test(hostAndPort) ? Number(/:(\d+)$/.exec(hostAndPort)?.[1]) : undefined;
  return {
    scheme,
    host: ipLiteral ? canonicalIp(host) : host,
    wildcard,
    ipLiteral,
    port: explicitPort,
  };
}

/** `a, b ,c` → patterns, each validated; throws on the first malformed one. */
export function parseHostAllowList(list: string | undefined): string[] {
  if (list === undefined) return [];
  const patterns = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const pattern of patterns) parseHostPattern(pattern);
  return patterns;
}

function effectivePort(url: URL): number {
  return url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port);
}

function matches(pattern: HostPattern, protocol: string, host: string, port: number): boolean {
  if (pattern.scheme !== undefined && pattern.scheme !== protocol) return false;
  const wantedPort =
    pattern.port ?? (pattern.scheme !== undefined ? DEFAULT_PORTS[pattern.scheme] : undefined);
  if (wantedPort === undefined) {
    if (port !== DEFAULT_PORTS[protocol]) return false;
  } else if (port !== wantedPort) {
    return false;
  }
  if (pattern.ipLiteral) return isIpLiteral(host) && canonicalIp(host) === pattern.host;
  if (pattern.wildcard) return host.endsWith(`.${pattern.host}`);
  return host === pattern.host;
}

/** The compiled form of a policy, shared by the URL check and the connector. */
export class CompiledPolicy {
  readonly target: string;
  private readonly patterns: readonly HostPattern[] | undefined;

  constructor(readonly policy: OutboundPolicy) {
    this.target = policy.target ?? 'URL';
    this.patterns = policy.allowedHosts?.map(parseHostPattern);
  }

  get allowPrivateAddresses(): boolean {
    return this.policy.allowPrivateAddresses === true;
  }

  /** An IP-literal allow-list entry names this exact address and port: it may be dialled as is. */
  exemptsAddress(protocol: string, host: string, port: number): boolean {
    if (this.patterns === undefined || !isIpLiteral(host)) return false;
    return this.patterns.some((pattern) => pattern.ipLiteral && matches(pattern, protocol, host, port));
  }

  /** Everything that can be decided without DNS; returns the parsed URL or throws. */
  check(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl.trim());
    } catch {
      throw new OutboundRefusedError('invalid-url', this.target);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefusedError('scheme', this.target);
    }
    if (url.username !== '' || url.password !== '') throw new OutboundRefusedError('userinfo', this.target);
    const host = url.hostname.toLowerCase();
    if (host === '') throw new OutboundRefusedError('invalid-url', this.target);
    if (host.endsWith('.')) throw new OutboundRefusedError('trailing-dot', this.target);
    const port = effectivePort(url);
    if (
      this.patterns !== undefined &&
      !this.patterns.some((pattern) => matches(pattern, url.protocol, host, port))
    ) {
      throw new OutboundRefusedError('host-not-allowed', this.target);
    }
    if (this.allowPrivateAddresses) return url;
    if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new OutboundRefusedError('localhost', this.target);
    }
    if (
      isIpLiteral(host) &&
      !classifyAddress(host).allowed &&
      !this.exemptsAddress(url.protocol, host, port)
    ) {
      throw new OutboundRefusedError('non-public-address', this.target);
    }
    return url;
  }
}

/**
 * Checks what can be checked before any DNS: scheme, credentials, trailing dot, localhost names, the
 * allowed hosts and IP-literal hosts. Throws OutboundRefusedError; returns the parsed URL.
 */
export function checkOutboundUrl(rawUrl: string, policy: OutboundPolicy = {}): URL {
  return new CompiledPolicy(policy).check(rawUrl);
}
