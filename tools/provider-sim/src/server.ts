// The generic provider simulator as one HTTP server: health, the /_sim control API (./control-api)
// and the providers' endpoints (./provider-api → ./providers/*), over one shared state (clock,
// records, Salesforce OAuth, credentials, faults, request log).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FaultInjector as SharedFaultInjector,
  json,
  listenSimulator,
  OAuthServer,
  readBody,
  RequestLog,
  send,
  SimClock,
} from '@pollcast/tool-process';
import { ControlApi } from './control-api';
import { type CredentialDefaults, Credentials, DEFAULT_CREDENTIALS } from './credentials';
import type { FaultInjector, FaultKind } from './faults';
import { ProviderApi } from './provider-api';
import { GitHubProvider } from './providers/github';
import { HubSpotProvider } from './providers/hubspot';
import type { ProviderEndpoint } from './providers/provider';
import { SalesforceProvider } from './providers/salesforce';
import { ZendeskProvider } from './providers/zendesk';
import { RecordStore } from './records';
import type { SimulatorParts } from './simulator-parts';

/** Room for a SOQL query over Salesforce's 100,000-character limit, so the limit answers, not Node's 431. */
const MAX_HEADER_BYTES = 256 * 1024;

export interface ProviderSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The base URL clients reach the simulator at (Link headers, nextRecordsUrl, instance_url). Default its own URL. */
  publicUrl?: string;
  /** Salesforce's pre-registered OAuth client. Defaults pollcast-dev / pollcast-dev-secret. */
  clientId?: string;
  clientSecret?: string;
  /** Salesforce access token lifetime (the token response does not say it, as Salesforce's does not). Default 7200. */
  accessTokenTtlSeconds?: number;
  /** HubSpot / GitHub / Zendesk credentials valid from the start (defaults in DEFAULT_CREDENTIALS). */
  credentials?: Partial<CredentialDefaults>;
  /** Time source under the simulator clock. Default the system clock. */
  now?: () => Date;
  /** How many provider requests the request log keeps. Default 10000. */
  requestLogCapacity?: number;
}

/** The in-process handle: everything the /_sim control API can do, typed. */
export interface ProviderSimulator {
  /** Base URL, e.g. http://127.0.0.1:8093 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly store: RecordStore;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  /** Salesforce's OAuth server. */
  readonly oauth: OAuthServer;
  readonly credentials: Credentials;
  readonly requests: RequestLog;
  readonly github: GitHubProvider;
  readonly salesforce: SalesforceProvider;
  /** Empties records, logs, faults, tokens; default credentials and OAuth client only; clock unfrozen at real time. */
  reset(): void;
  close(): Promise<void>;
}

class Simulator implements SimulatorParts {
  readonly clock: SimClock;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly credentials: Credentials;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
  readonly salesforce: SalesforceProvider;
  readonly github: GitHubProvider;
  private readonly endpoints: ProviderEndpoint[];
  private readonly provider: ProviderApi;
  private readonly control: ControlApi;
  baseUrl = '';

  constructor(options: ProviderSimulatorOptions) {
    this.clock = new SimClock(options.now);
    this.store = new RecordStore(this.clock);
    this.oauth = new OAuthServer(
      this.clock,
      {
        clientId: options.clientId ?? 'pollcast-dev',
        clientSecret: options.clientSecret ?? 'pollcast-dev-secret',
      },
      options.accessTokenTtlSeconds ?? 7200,
    );
    this.credentials = new Credentials({ ...DEFAULT_CREDENTIALS, ...options.credentials });
    this.faults = new SharedFaultInjector<FaultKind>(this.clock);
    this.requests = new RequestLog(options.requestLogCapacity);
    const context = { ...this.partsView(), baseUrl: () => this.baseUrl };
    this.salesforce = new SalesforceProvider(context);
    this.github = new GitHubProvider(context);
    this.endpoints = [
      this.salesforce,
      new HubSpotProvider(context),
      this.github,
      new ZendeskProvider(context),
    ];
    this.provider = new ProviderApi(this, this.endpoints);
    this.control = new ControlApi(this, { salesforce: this.salesforce, github: this.github }, () =>
      this.reset(),
    );
  }

  private partsView(): SimulatorParts {
    return this;
  }

  reset(): void {
    this.store.reset();
    this.oauth.reset();
    this.credentials.reset();
    this.faults.clear();
    this.requests.clear();
    this.clock.reset();
    for (const endpoint of this.endpoints) endpoint.reset?.();
  }

  cancelTimers(): void {
    this.provider.cancelTimers();
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (path === '/health/live' || path === '/health/ready') {
      await readBody(request);
      send(response, json(200, { status: 'ok', records: this.store.count() }));
      return;
    }
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      send(response, await this.control.handle(request, method, path, url.searchParams));
      return;
    }
    await this.provider.handle(request, response, method, path, url.searchParams);
  }
}

export async function createProviderSimulator(
  options: ProviderSimulatorOptions = {},
): Promise<ProviderSimulator> {
  const simulator = new Simulator(options);
  const server = await listenSimulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    maxHeaderSize: MAX_HEADER_BYTES,
    handle: (request, response) => simulator.handle(request, response),
    errorBody: (message) => ({ error: 'simulator_error', message }),
    beforeClose: () => simulator.cancelTimers(),
  });
  simulator.baseUrl = (options.publicUrl ?? server.url).replace(/\/+$/, '');
  return {
    url: server.url,
    port: server.port,
    store: simulator.store,
    clock: simulator.clock,
    faults: simulator.faults,
    oauth: simulator.oauth,
    credentials: simulator.credentials,
    requests: simulator.requests,
    github: simulator.github,
    salesforce: simulator.salesforce,
    reset: () => simulator.reset(),
    close: () => server.close(),
  };
}
