// What every simulated provider is given and must provide. The server picks the provider by path
// prefix, applies faults and logs the request; the provider parses, authenticates and answers in its
// own wire shape (errors included).
import type { IncomingHttpHeaders } from 'node:http';
import type { LoggedRequest, OAuthServer, Reply, SimClock } from '@pollcast/tool-process';
import type { Credentials } from '../credentials';
import type { ProviderName, RecordStore } from '../records';

export interface ProviderRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  /** The request log entry: the provider fills in a secret-free `summary`. */
  readonly entry: LoggedRequest;
}

export interface ProviderContext {
  readonly clock: SimClock;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly credentials: Credentials;
  /** The simulator's base URL as clients reach it (Link headers, next URLs, instance_url). */
  baseUrl(): string;
}

/** The injected faults a provider renders in its own error shape. */
export type ProviderFaultKind = 'rateLimit' | 'serverError' | 'unauthorized';

export interface ProviderEndpoint {
  readonly name: ProviderName;
  /** Path prefixes this provider answers, e.g. `/services/`. */
  readonly prefixes: readonly string[];
  handle(request: ProviderRequest): Reply;
  faultReply(kind: ProviderFaultKind, status: number, path: string, retryAfterSeconds: number): Reply;
  /** Forgets per-request state kept between pages (the simulator's reset). */
  reset?(): void;
}

/** The bearer token of an Authorization header, or null. */
export function bearerToken(
  headers: IncomingHttpHeaders,
  schemes: readonly string[] = ['Bearer'],
): string | null {
  const header = headers.authorization;
  if (typeof header !== 'string') return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  if (!schemes.some((allowed) => allowed.toLowerCase() === scheme)) return null;
  const token = header.slice(space + 1).trim();
  return token.length > 0 && token.length <= 4096 ? token : null;
}

/** Salesforce / GitHub / Zendesk render seconds, HubSpot milliseconds: all from one instant. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
