import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { request } from 'undici';
import { z } from 'zod';
import { AUTHORIZATION_TOO_LONG, DomainError, MAX_AUTHORIZATION_LENGTH } from '@pollcast/service-kit';

/** Who is calling: an organization's user, possibly limited to one instance (Element token). */
export interface Tenant {
  organizationId: string;
  userId: string;
  /** Set when the caller authenticated with an instance token: only that instance is theirs. */
  instanceId: string | null;
}

export interface TenantAuthOptions {
  instanceServiceUrl: string;
  serviceToken: string;
  /** How long a positive answer is reused (default 30 s). */
  cacheTtlMs?: number;
  /** At most this many cached answers (default 10,000). */
  cacheSize?: number;
  timeoutMs?: number;
}

const verifyResponseSchema = z.object({
  organizationId: z.string().min(1),
  userId: z.string().min(1),
  instanceId: z.string().min(1).nullable().optional(),
});

export const AUTHORIZATION_HELP = 'Authorization: User <user secret>, Organization <organization secret>';

/** Asks instance-service (POST /internal/auth/verify) who an Authorization header belongs to, and
 * remembers positive answers briefly so a busy API does not ask on every request. */
export class TenantVerifier {
  /** Keyed by tenant input: bounded (least recently used goes first), each answer kept for the TTL. */
  private readonly cache: LRUCache<string, Tenant>;

  constructor(private readonly options: TenantAuthOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 10000, ttl: options.cacheTtlMs ?? 30000 });
  }

  /** How many answers are cached now (tests check the bound). */
  get cachedAnswers(): number {
    return this.cache.size;
  }

  async verify(authorization: string | undefined): Promise<Tenant> {
    if (!authorization || authorization.trim() === '') {
      throw new DomainError(
        'UNAUTHENTICATED',
        `Missing Authorization header; expected ${AUTHORIZATION_HELP}`,
        401,
      );
    }
    // instance-service refuses these too; answering here spares the digest, the cache and the call.
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new DomainError('UNAUTHENTICATED', AUTHORIZATION_TOO_LONG, 401);
    }
    // The cache key is a digest: the header itself (secrets) is never kept in memory longer than needed.
    const key = createHash('sha256').update(authorization).digest('base64url');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const tenant = await this.ask(authorization);
    this.cache.set(key, tenant);
    return tenant;
  }

  private async ask(authorization: string): Promise<Tenant> {
    let response;
    try {
      response = await request(new URL('/internal/auth/verify', this.options.instanceServiceUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pollcast-service-token': this.options.serviceToken,
        },
        body: JSON.stringify({ authorization }),
        headersTimeout: this.options.timeoutMs ?? 5000,
        bodyTimeout: this.options.timeoutMs ?? 5000,
      });
    } catch (error) {
      throw new DomainError(
        'AUTH_UNAVAILABLE',
        `Authentication is unavailable right now (instance-service did not answer: ${error instanceof Error ? error.message : String(error)}); retry shortly`,
        503,
        { 'retry-after': '5' },
      );
    }
    const body: unknown = await response.body.json().catch(() => undefined);
    // 400: instance-service could not read the header it was given (its own limits); still the caller's.
    if (response.statusCode === 400 || response.statusCode === 401 || response.statusCode === 403) {
      const message =
        typeof body === 'object' && body !== null && 'message' in body
          ? String(body.message)
          : 'Invalid credentials';
      throw new DomainError('UNAUTHENTICATED', message, 401);
    }
    const parsed = verifyResponseSchema.safeParse(body);
    if (response.statusCode !== 200 || !parsed.success) {
      throw new DomainError(
        'AUTH_UNAVAILABLE',
        `Authentication failed upstream (status ${response.statusCode}); retry shortly`,
        503,
        {
          'retry-after': '5',
        },
      );
    }
    return {
      organizationId: parsed.data.organizationId,
      userId: parsed.data.userId,
      instanceId: parsed.data.instanceId ?? null,
    };
  }
}
