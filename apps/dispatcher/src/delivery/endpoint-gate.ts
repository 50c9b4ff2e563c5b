import { LRUCache } from 'lru-cache';

/** Endpoints whose state is kept at most; far above the origins a replica serves at once. */
export const MAX_TRACKED_ENDPOINTS = 10_000;

/** Per-endpoint settings: how many requests may be in flight and when the breaker opens. */
export interface EndpointGateOptions {
  maxInFlight: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses before letting one probe through. */
  openMs: number;
}

type CircuitState = 'closed' | 'open' | 'half-open';

interface EndpointState {
  inFlight: number;
  consecutiveFailures: number;
  state: CircuitState;
  openUntil: number;
  probeInFlight: boolean;
}

/** neutral = the endpoint was not called (e.g. our own dependency failed): no breaker change. */
export type ReleaseOutcome = 'success' | 'failure' | 'neutral';

export type Admission =
  | { admitted: true; release(outcome: ReleaseOutcome): void }
  | { admitted: false; reason: 'saturated' | 'circuit-open'; retryAtMs: number };

/**
 * Per-endpoint concurrency limit plus circuit breaker, so one slow or failing endpoint holds at most
 * `maxInFlight` worker slots and stops receiving traffic while it keeps failing. Process-local: each
 * replica protects the endpoint with its own share.
 */
export class EndpointGate {
  /** Keyed by callback origins (tenant input): bounded, least recently used first out. Healthy idle
   * endpoints are dropped on release anyway; this bounds the failing ones a tenant could pile up. */
  private readonly endpoints = new LRUCache<string, EndpointState>({ max: MAX_TRACKED_ENDPOINTS });

  constructor(
    private readonly options: EndpointGateOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private stateOf(endpoint: string): EndpointState {
    let state = this.endpoints.get(endpoint);
    if (!state) {
      state = { inFlight: 0, consecutiveFailures: 0, state: 'closed', openUntil: 0, probeInFlight: false };
      this.endpoints.set(endpoint, state);
    }
    return state;
  }

  /** Whether new work for the endpoint would be refused right now (the claim query skips it). */
  isBlocked(endpoint: string): boolean {
    const state = this.endpoints.get(endpoint);
    if (!state) return false;
    if (state.inFlight >= this.options.maxInFlight) return true;
    if (state.state === 'open') return this.now() < state.openUntil;
    return state.state === 'half-open' && state.probeInFlight;
  }

  admit(endpoint: string): Admission {
    const state = this.stateOf(endpoint);
    const now = this.now();
    if (state.state === 'open') {
      if (now < state.openUntil)
        return { admitted: false, reason: 'circuit-open', retryAtMs: state.openUntil };
      state.state = 'half-open';
      state.probeInFlight = false;
    }
    if (state.state === 'half-open' && state.probeInFlight) {
      return {
        admitted: false,
        reason: 'circuit-open',
        retryAtMs: now + Math.min(1000, this.options.openMs),
      };
    }
    if (state.inFlight >= this.options.maxInFlight) {
      return { admitted: false, reason: 'saturated', retryAtMs: now + 50 };
    }
    state.inFlight += 1;
    const isProbe = state.state === 'half-open';
    if (isProbe) state.probeInFlight = true;
    let released = false;
    return {
      admitted: true,
      release: (outcome: ReleaseOutcome) => {
        if (released) return;
        released = true;
        state.inFlight -= 1;
        if (isProbe) state.probeInFlight = false;
        if (outcome !== 'neutral') this.record(state, outcome === 'success');
        if (state.inFlight === 0 && state.state === 'closed' && state.consecutiveFailures === 0) {
          this.endpoints.delete(endpoint); // forget healthy idle endpoints: the map stays small
        }
      },
    };
  }

  private record(state: EndpointState, success: boolean): void {
    if (success) {
      state.consecutiveFailures = 0;
      state.state = 'closed';
      return;
    }
    state.consecutiveFailures += 1;
    if (state.state === 'half-open' || state.consecutiveFailures >= this.options.failureThreshold) {
      state.state = 'open';
      state.openUntil = this.now() + this.options.openMs;
    }
  }

  /** For metrics and the API: endpoints whose circuit is not closed. */
  openCircuits(): string[] {
    return [...this.endpoints.entries()]
      .filter(([, state]) => state.state !== 'closed')
      .map(([endpoint]) => endpoint);
  }
}

/** The endpoint a callback URL belongs to: its origin (scheme, host, port) — one pool, one breaker. */
export function endpointOf(callbackUrl: string): string {
  try {
    return new URL(callbackUrl).origin;
  } catch {
    return callbackUrl;
  }
}
