import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
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

const accessTokenResponseSchema = z.object({
  accessToken: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
});

/** Reuse a token until this long before it expires (instance-service refreshes within 60 s of expiry). */
const EXPIRY_MARGIN_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Tokens of this many instances at most (least recently used go first): enough for every instance a
 * replica polls; a miss costs one request to instance-service. */
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

/**
 * Access tokens from instance-service (`POST /internal/instances/{id}/access-token`), cached per
 * instance until shortly before they expire, one request at a time per instance: thousands of polls a
 * minute must not turn into thousands of token requests.
 */
@Injectable()
export class AccessTokenClient {
  private readonly cache = new LRUCache<string, { accessToken: string; expiresAtMs: number }>({
    max: TOKEN_CACHE_MAX_ENTRIES,
  });
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly baseUrl: string;

  constructor(@Inject(SERVICE_ENV) private readonly env: Env) {
    this.baseUrl = env.INSTANCE_SERVICE_URL.replace(/\/+$/, '');
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
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(
        `${this.baseUrl}/internal/instances/${encodeURIComponent(instanceId)}/access-token`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-pollcast-service-token': this.env.POLLCAST_SERVICE_TOKEN,
          },
          body: JSON.stringify({ forceRefresh: request.forceRefresh, rejectedToken: request.rejectedToken }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        },
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new AccessTokenError(
        'unavailable',
        `instance-service did not answer the access-token request: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text();
    if (response.status === 404) {
      this.cache.delete(instanceId);
      throw new AccessTokenError('instance_unknown', `instance-service does not know instance ${instanceId}`);
    }
    if (response.status === 409) {
      this.cache.delete(instanceId);
      throw new AccessTokenError(
        'credentials_invalid',
        `the instance's provider credentials are invalid (re-authorize the instance): ${messageOf(text)}`,
      );
    }
    if (response.status !== 200) {
      throw new AccessTokenError(
        'unavailable',
        `instance-service answered ${response.status} to the access-token request: ${messageOf(text)}`,
      );
    }
    const parsed = accessTokenResponseSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new AccessTokenError(
        'unavailable',
        'instance-service answered the access-token request with an unexpected body',
      );
    }
    const expiresAtMs = new Date(parsed.data.expiresAt).getTime();
    // Gone from the cache once no longer reusable (the TTL ends where the reuse margin starts).
    const reusableMs = expiresAtMs - EXPIRY_MARGIN_MS - Date.now();
    if (reusableMs > 0) {
      this.cache.set(instanceId, { accessToken: parsed.data.accessToken, expiresAtMs }, { ttl: reusableMs });
    } else {
      this.cache.delete(instanceId);
    }
    return parsed.data.accessToken;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(text: string): string {
  const body = safeJson(text);
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
    return body.message.slice(0, 300);
  }
  return text.slice(0, 300);
}
