import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal } from '@pollcast/contracts';
import {
  InstanceClient,
  InstanceServiceRefusedError,
  InstanceServiceUnavailableError,
} from '@pollcast/instance-client';
import {
  AUTHORIZATION_TOO_LONG,
  DomainError,
  ErrorCode,
  MAX_AUTHORIZATION_LENGTH,
} from '@pollcast/service-kit';

export interface TenantAuthOptions {
  instanceServiceUrl: string;
  serviceToken: string;
  /** How long a positive answer is reused (default 30 s). */
  cacheTtlMs?: number;
  /** At most this many cached answers (default 10,000). */
  cacheSize?: number;
  timeoutMs?: number;
}

export const AUTHORIZATION_HELP = 'Authorization: User <user secret>, Organization <organization secret>';

/** Asks instance-service (POST /internal/auth/verify) who an Authorization header belongs to, and
 * remembers positive answers briefly so a busy API does not ask on every request. */
export class TenantVerifier {
  /** Keyed by tenant input: bounded (least recently used goes first), each answer kept for the TTL. */
  private readonly cache: LRUCache<string, Principal>;
  private readonly client: InstanceClient;

  constructor(options: TenantAuthOptions) {
    this.client = new InstanceClient({
      baseUrl: options.instanceServiceUrl,
      serviceToken: options.serviceToken,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    this.cache = new LRUCache({ max: options.cacheSize ?? 10000, ttl: options.cacheTtlMs ?? 30000 });
  }

  /** How many answers are cached now (tests check the bound). */
  get cachedAnswers(): number {
    return this.cache.size;
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization || authorization.trim() === '') {
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        `Missing Authorization header; expected ${AUTHORIZATION_HELP}`,
        401,
      );
    }
    // instance-service refuses these too; answering here spares the digest, the cache and the call.
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, AUTHORIZATION_TOO_LONG, 401);
    }
    // The cache key is a digest: the header itself (secrets) is never kept in memory longer than needed.
    const key = createHash('sha256').update(authorization).digest('base64url');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const principal = await this.ask(authorization);
    this.cache.set(key, principal);
    return principal;
  }

  private async ask(authorization: string): Promise<Principal> {
    try {
      return await this.client.verifyAuthorization(authorization);
    } catch (error) {
      // 400: instance-service could not read the header it was given (its own limits); still the caller's.
      if (error instanceof InstanceServiceRefusedError) {
        throw new DomainError(ErrorCode.UNAUTHENTICATED, error.upstreamMessage ?? 'Invalid credentials', 401);
      }
      if (!(error instanceof InstanceServiceUnavailableError)) throw error;
      throw new DomainError(
        ErrorCode.AUTH_UNAVAILABLE,
        error.status === null
          ? `Authentication is unavailable right now (instance-service did not answer: ${error.reason}); retry shortly`
          : `Authentication failed upstream (status ${error.status}); retry shortly`,
        503,
        { 'retry-after': '5' },
      );
    }
  }
}
