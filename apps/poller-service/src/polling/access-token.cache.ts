import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AccessTokenGrant } from '@pollcast/contracts';
import {
  InstanceClient,
  InstanceServiceRefusedError,
  InstanceServiceUnavailableError,
} from '@pollcast/instance-client';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';

export type AccessTokenErrorKind = 'instance_unknown' | 'credentials_invalid' | 'unavailable';

/** instance-service could not hand out a token. `unavailable` is transient; the others need a person. */
export class AccessTokenError extends Error {
  constructor(
    readonly kind: AccessTokenErrorKind,
    message: string,
  ) {
    super(message);
  }
  get permanent(): boolean {
    return this.kind !== 'unavailable';
  }
}

/** Reuse a token until this long before it expires (instance-service refreshes within 60 s of expiry). */
const EXPIRY_MARGIN_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Tokens of this many instances at most (least recently used go first): enough for every instance a
 * replica polls; a miss costs one request to instance-service. */
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

/**
 * Access tokens from instance-service (`POST /internal/instances/{id}/access-token`, through
 * @pollcast/instance-client), cached per
 * instance until shortly before they expire, one request at a time per instance: thousands of polls a
 * minute must not turn into thousands of token requests.
 */
@Injectable()
export class AccessTokenCache {
  private readonly cache = new LRUCache<string, { accessToken: string; expiresAtMs: number }>({
    max: TOKEN_CACHE_MAX_ENTRIES,
  });
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly client: InstanceClient;

  constructor(@Inject(SERVICE_ENV) env: Env) {
    this.client = new InstanceClient({
      baseUrl: env.INSTANCE_SERVICE_URL,
      serviceToken: env.POLLCAST_SERVICE_TOKEN,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
  }

  /** `forceRefresh` with the token the provider rejected: instance-service refreshes unless it already did. */
  async get(
    instanceId: string,
    request: { forceRefresh: boolean; rejectedToken?: string },
    signal?: AbortSignal,
  ): Promise<string> {
    if (!request.forceRefresh) {
      const cached = this.cache.get(instanceId);
      if (cached && cached.expiresAtMs - EXPIRY_MARGIN_MS > Date.now()) return cached.accessToken;
    }
    const flightKey = request.forceRefresh ? `${instanceId}\u0000${request.rejectedToken ?? ''}` : instanceId;
    const pending = this.inFlight.get(flightKey);
    if (pending) return pending;
    const fetching = this.fetchToken(instanceId, request, signal).finally(() =>
      this.inFlight.delete(flightKey),
    );
    this.inFlight.set(flightKey, fetching);
    return fetching;
  }

  forget(instanceId: string): void {
    this.cache.delete(instanceId);
  }

  private async fetchToken(
    instanceId: string,
    request: { forceRefresh: boolean; rejectedToken?: string },
    signal?: AbortSignal,
  ): Promise<string> {
    let grant: AccessTokenGrant;
    try {
      grant = await this.client.accessToken(instanceId, request, signal);
    } catch (error) {
      throw this.tokenError(instanceId, error);
    }
    const expiresAtMs = new Date(grant.expiresAt).getTime();
    // Gone from the cache once no longer reusable (the TTL ends where the reuse margin starts).
    const reusableMs = expiresAtMs - EXPIRY_MARGIN_MS - Date.now();
    if (reusableMs > 0) {
      this.cache.set(instanceId, { accessToken: grant.accessToken, expiresAtMs }, { ttl: reusableMs });
    } else {
      this.cache.delete(instanceId);
    }
    return grant.accessToken;
  }

  /** What instance-service's answer means for the poll (an abort of the poll's signal passes as is). */
  private tokenError(instanceId: string, error: unknown): unknown {
    if (error instanceof InstanceServiceRefusedError) {
      this.cache.delete(instanceId);
      return error.status === 404
        ? new AccessTokenError('instance_unknown', `instance-service does not know instance ${instanceId}`)
        : new AccessTokenError(
            'credentials_invalid',
            `the instance's provider credentials are invalid (re-authorize the instance): ${error.upstreamMessage?.slice(0, 300) ?? error.bodyText}`,
          );
    }
    if (!(error instanceof InstanceServiceUnavailableError)) return error;
    switch (error.failure) {
      case 'no_answer':
        return new AccessTokenError(
          'unavailable',
          `instance-service did not answer the access-token request: ${error.reason}`,
        );
      case 'error_status':
        return new AccessTokenError(
          'unavailable',
          `instance-service answered ${error.status} to the access-token request: ${error.reason}`,
        );
      case 'unexpected_body':
        return new AccessTokenError(
          'unavailable',
          'instance-service answered the access-token request with an unexpected body',
        );
    }
  }
}
