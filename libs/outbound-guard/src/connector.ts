// Connect-time half of the guard: the undici connector resolves every address of the host and refuses
// the connection when any of them is refused, then dials only addresses it has checked. A name that
// passed validation and resolves to loopback later (DNS rebinding) is refused here.
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { classifyAddress, isIpLiteral } from './address';
import { CompiledPolicy, OutboundRefusedError, type OutboundPolicy, type OutboundResolver } from './policy';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const systemResolver: OutboundResolver = (hostname, family) =>
  new Promise((resolve, reject) => {
    systemLookup(hostname, { all: true, family, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

function familyOf(options: unknown): 0 | 4 | 6 {
  const family =
    typeof options === 'number'
      ? options
      : typeof options === 'object' && options !== null && 'family' in options
        ? options.family
        : 0;
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/** A `net.connect` lookup that hands out only addresses the policy allows, and only if all are. */
export function guardedLookup(policy: CompiledPolicy) {
  const resolve = policy.policy.resolve ?? systemResolver;
  return (hostname: string, options: unknown, callback: LookupCallback): void => {
    const wantsAll =
      typeof options === 'object' && options !== null && 'all' in options && options.all === true;
    resolve(hostname, familyOf(options)).then(
      (addresses) => {
        if (addresses.length === 0) return callback(refusal('no-address', policy), []);
        // Every address, not just the first: a name with one public and one private address could
        // otherwise be steered to the private one by the happy-eyeballs race or a retry.
        if (
          !policy.allowPrivateAddresses &&
          addresses.some((entry) => !classifyAddress(entry.address).allowed)
        ) {
          return callback(refusal('non-public-address', policy), []);
        }
        if (wantsAll) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

function refusal(reason: 'no-address' | 'non-public-address', policy: CompiledPolicy) {
  return new OutboundRefusedError(reason, policy.target) as OutboundRefusedError & NodeJS.ErrnoException;
}

export interface GuardedConnectorOptions {
  /** TCP (+TLS) connect timeout, ms. */
  readonly connectTimeoutMs?: number;
}

/** An undici connector (`connect` option of Agent/Pool/Client) that enforces the policy. */
export function createGuardedConnector(
  policy: OutboundPolicy,
  options: GuardedConnectorOptions = {},
): buildConnector.connector {
  const compiled = new CompiledPolicy(policy);
  const connect = buildConnector({
    // undici 8 offers HTTP/2 by ALPN unless told not to. Stay on HTTP/1.1, what every caller's pool
    // sizing (`connections` = concurrent requests per origin) and timeouts were measured with.
    allowH2: false,
    ...(options.connectTimeoutMs === undefined ? {} : { timeout: options.connectTimeoutMs }),
    ...(compiled.allowPrivateAddresses ? {} : { lookup: guardedLookup(compiled) }),
  });
  return (connectOptions, callback) => {
    const host = connectOptions.hostname;
    // net.connect does not call `lookup` for IP literals: they are judged here.
    if (!compiled.allowPrivateAddresses && isIpLiteral(host)) {
      const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
      if (!classifyAddress(host).allowed && !compiled.exemptsAddress(connectOptions.protocol, host, port)) {
        callback(new OutboundRefusedError('non-public-address', compiled.target), null);
        return;
      }
    }
    connect(connectOptions, callback);
  };
}

export type GuardedAgentOptions = Omit<Agent.Options, 'connect'> & GuardedConnectorOptions;

/**
 * An undici Agent whose every connection goes through the guard. Use it with `checkOutboundUrl` before
 * the request (scheme, credentials, allowed hosts: what needs no DNS); the connector re-checks the
 * addresses actually dialled.
 */
export function createGuardedAgent(policy: OutboundPolicy, options: GuardedAgentOptions = {}): Agent {
  const { connectTimeoutMs, ...agentOptions } = options;
  return new Agent({
    ...agentOptions,
    connect: createGuardedConnector(policy, connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  });
}
