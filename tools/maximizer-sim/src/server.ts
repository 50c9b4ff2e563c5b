// The Maximizer simulator as one HTTP server: health, the /_sim control API (./control-api) and the
// provider endpoints, OAuth and Octopus (./provider-api), over one shared state (clock, records,
// OAuth, faults, request log).
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
import { DateRenderer } from './dates';
import type { FaultInjector, FaultKind } from './faults';
import { ProviderApi } from './provider-api';
import type { SimulatorParts } from './simulator-parts';
import { RecordStore } from './store';

export interface MaximizerSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** IANA zone dates are rendered in. Default America/Toronto. */
  zone?: string;
  /** The pre-registered OAuth client. Defaults pollcast-dev / pollcast-dev-secret. */
  clientId?: string;
  clientSecret?: string;
  /** Default 600. */
  accessTokenTtlSeconds?: number;
  /** Time source under the simulator clock. Default the system clock. */
  now?: () => Date;
  /** How many provider requests the request log keeps. Default 10000. */
  requestLogCapacity?: number;
}

/** The in-process handle: everything the /_sim control API can do, typed. */
export interface MaximizerSimulator {
  /** Base URL, e.g. http://127.0.0.1:8091 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly zone: string;
  readonly store: RecordStore;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  readonly oauth: OAuthServer;
  readonly requests: RequestLog;
  /** Empties records, change log, request log, faults, codes and tokens; back to the default client; clock unfrozen at real time. */
  reset(): void;
  close(): Promise<void>;
}

class Simulator implements SimulatorParts {
  readonly clock: SimClock;
  readonly dates: DateRenderer;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
  private readonly provider: ProviderApi;
  private readonly control: ControlApi;

  constructor(options: MaximizerSimulatorOptions) {
    this.clock = new SimClock(options.now);
    this.dates = new DateRenderer(options.zone ?? 'America/Toronto');
    this.store = new RecordStore(this.clock, this.dates);
    this.oauth = new OAuthServer(
      this.clock,
      {
        clientId: options.clientId ?? 'pollcast-dev',
        clientSecret: options.clientSecret ?? 'pollcast-dev-secret',
      },
      options.accessTokenTtlSeconds ?? 600,
    );
    this.faults = new SharedFaultInjector<FaultKind>(this.clock);
    this.requests = new RequestLog(options.requestLogCapacity);
    this.provider = new ProviderApi(this);
    this.control = new ControlApi(this, () => this.reset());
  }

  reset(): void {
    this.store.reset();
    this.oauth.reset();
    this.faults.clear();
    this.requests.clear();
    this.clock.reset();
    this.provider.clearPageCache();
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

export async function createMaximizerSimulator(
  options: MaximizerSimulatorOptions = {},
): Promise<MaximizerSimulator> {
  const simulator = new Simulator(options);
  const server = await listenSimulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    handle: (request, response) => simulator.handle(request, response),
    errorBody: (message) => ({ Code: -1, Msg: [`Simulator error: ${message}`] }),
    beforeClose: () => simulator.cancelTimers(),
  });
  return {
    url: server.url,
    port: server.port,
    zone: simulator.dates.zone,
    store: simulator.store,
    clock: simulator.clock,
    faults: simulator.faults,
    oauth: simulator.oauth,
    requests: simulator.requests,
    reset: () => simulator.reset(),
    close: () => server.close(),
  };
}
