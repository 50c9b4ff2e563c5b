import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import { constantTimeEquals, SecretHasher } from '../crypto/secret-hash';
import { instanceStore } from '../instances/instance.store';
import { ENV } from '../tokens';
import type { Env } from '../env';
import { parseAuthorizationHeader, type TenantCredentials } from './authorization-header';
import { AuthenticationError, INVALID_CREDENTIALS, type Principal } from './principal';
import { tenantStore } from './tenant.store';

const MAX_CACHED_PRINCIPALS = 10_000;

/** Who a request's credentials belong to (an `Authorization` header → its principal, or a 401). Used by
 * the public API's guard and by POST /internal/auth/verify for the other services. */
@Injectable()
export class Authenticate {
  /** Verified credentials by fingerprint: scrypt is deliberately slow, so it runs once per TTL, not per request. */
  private readonly verified: LRUCache<string, Principal>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(ENV) private readonly env: Env,
  ) {
    // Bounded: keys come from tenant input (only verified credentials are kept, but many can be).
    this.verified = new LRUCache({ max: MAX_CACHED_PRINCIPALS, ttl: Math.max(1, env.AUTH_CACHE_TTL_MS) });
  }

  /** Resolves an `Authorization` header to its principal, or throws a 401 saying what is wrong. */
  async execute(header: string | undefined): Promise<Principal> {
    const parsed = parseAuthorizationHeader(header);
    if (!parsed.ok) throw new AuthenticationError(parsed.message);
    const credentials = parsed.credentials;
    const cacheKey = this.cacheKey(credentials);
    const cached = this.verified.get(cacheKey);
    if (cached !== undefined) return cached;
    const principal = await this.verify(credentials);
    if (principal === undefined) throw new AuthenticationError(INVALID_CREDENTIALS);
    if (this.env.AUTH_CACHE_TTL_MS > 0) this.verified.set(cacheKey, principal);
    return principal;
  }

  /** Forget cached verifications (an instance was deleted, so its Element token must stop working). */
  forgetInstance(instanceId: string): void {
    for (const [key, principal] of this.verified.entries()) {
      if (principal.instanceId === instanceId) this.verified.delete(key);
    }
  }

  /**
   * One SHA-256 of the pair, not the two HMAC fingerprints the database lookup needs: the key only keeps
   * the secrets themselves from being held in memory for the TTL, and the two HMACs were ~10 % of a
   * cached GET's CPU (BENCHMARKS, instance-service).
   */
  private cacheKey(credentials: TenantCredentials): string {
    const second =
      credentials.kind === 'organization' ? credentials.organizationSecret : credentials.elementToken;
    return hash('sha256', `${credentials.kind}\u0000${credentials.userSecret}\u0000${second}`, 'base64url');
  }

  private async verify(credentials: TenantCredentials): Promise<Principal | undefined> {
    const manager = this.dataSource.manager;
    const user = await tenantStore.findUserBySecret(manager, this.hasher.fingerprint(credentials.userSecret));
    if (user === null) return undefined;
    if (credentials.kind === 'organization') {
      const organization = await tenantStore.findOrganizationBySecret(
        manager,
        this.hasher.fingerprint(credentials.organizationSecret),
      );
      if (organization === null || organization.id !== user.organizationId) return undefined;
      const [userOk, organizationOk] = await Promise.all([
        this.hasher.verify(credentials.userSecret, user.secretHash),
        this.hasher.verify(credentials.organizationSecret, organization.secretHash),
      ]);
      return userOk && organizationOk
        ? { organizationId: organization.id, userId: user.id, instanceId: null }
        : undefined;
    }
    const instance = await instanceStore.findByTokenFingerprint(
      manager,
      this.hasher.fingerprint(credentials.elementToken),
    );
    if (instance === undefined || instance.organization_id !== user.organizationId) return undefined;
    const storedToken = this.secretBox.decrypt(instance.token_ciphertext, `instance:${instance.id}:token`);
    const [userOk, tokenOk] = [
      await this.hasher.verify(credentials.userSecret, user.secretHash),
      constantTimeEquals(credentials.elementToken, storedToken),
    ];
    return userOk && tokenOk
      ? { organizationId: user.organizationId, userId: user.id, instanceId: instance.id }
      : undefined;
  }
}
