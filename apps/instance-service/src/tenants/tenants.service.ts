import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import { constantTimeEquals, generateSecret, SecretHasher } from '../crypto/secret-hash';
import { ENV } from '../tokens';
import type { Env } from '../env';
import { parseAuthorizationHeader, type TenantCredentials } from './authorization-header';
import { AuthenticationError, INVALID_CREDENTIALS, type Principal } from './principal';
import { OrganizationEntity, UserEntity } from './tenant.entities';

const MAX_CACHED_PRINCIPALS = 10_000;

/** Organizations and users, their hashed secrets, and who a request's credentials belong to. */
@Injectable()
export class TenantsService {
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

  async createOrganization(
    name: string,
    secret = generateSecret(),
  ): Promise<{ organization: OrganizationEntity; secret: string }> {
    const hashed = await this.hasher.hash(secret);
    const organization = await this.dataSource.getRepository(OrganizationEntity).save({
      name,
      secretHash: hashed.hash,
      secretFingerprint: hashed.fingerprint,
    });
    return { organization, secret };
  }

  async createUser(
    organizationId: string,
    email: string,
    secret = generateSecret(),
  ): Promise<{ user: UserEntity; secret: string }> {
    const organization = await this.dataSource
      .getRepository(OrganizationEntity)
      .findOneBy({ id: organizationId });
    if (organization === null) throw new Error(`organization ${organizationId} does not exist`);
    const hashed = await this.hasher.hash(secret);
    const user = await this.dataSource.getRepository(UserEntity).save({
      organizationId,
      email,
      secretHash: hashed.hash,
      secretFingerprint: hashed.fingerprint,
    });
    return { user, secret };
  }

  /**
   * Development bootstrap: the "Development" organization and its user exist with the given secrets.
   * Idempotent, and safe when replicas start together (an advisory lock serializes them).
   */
  async ensureBootstrapTenant(
    organizationSecret: string,
    userSecret: string,
    email: string,
  ): Promise<{ organizationId: string; userId: string }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['pollcast-bootstrap-tenant']);
      const organizations = manager.getRepository(OrganizationEntity);
      const users = manager.getRepository(UserEntity);
      let organization = await organizations.findOneBy({
        secretFingerprint: this.hasher.fingerprint(organizationSecret),
      });
      if (organization === null) {
        const hashed = await this.hasher.hash(organizationSecret);
        organization = await organizations.save({
          name: 'Development',
          secretHash: hashed.hash,
          secretFingerprint: hashed.fingerprint,
        });
      }
      let user = await users.findOneBy({ secretFingerprint: this.hasher.fingerprint(userSecret) });
      if (user === null) {
        const hashed = await this.hasher.hash(userSecret);
        user = await users.save({
          organizationId: organization.id,
          email,
          secretHash: hashed.hash,
          secretFingerprint: hashed.fingerprint,
        });
      } else if (user.organizationId !== organization.id) {
        throw new Error('POLLCAST_BOOTSTRAP_USER_SECRET belongs to a user of another organization');
      }
      return { organizationId: organization.id, userId: user.id };
    });
  }

  /** Resolves an `Authorization` header to its principal, or throws a 401 saying what is wrong. */
  async authenticate(header: string | undefined): Promise<Principal> {
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

  private cacheKey(credentials: TenantCredentials): string {
    const user = this.hasher.fingerprint(credentials.userSecret);
    return credentials.kind === 'organization'
      ? `o:${user}:${this.hasher.fingerprint(credentials.organizationSecret)}`
      : `e:${user}:${this.hasher.fingerprint(credentials.elementToken)}`;
  }

  private async verify(credentials: TenantCredentials): Promise<Principal | undefined> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOneBy({ secretFingerprint: this.hasher.fingerprint(credentials.userSecret) });
    if (user === null) return undefined;
    if (credentials.kind === 'organization') {
      const organization = await this.dataSource
        .getRepository(OrganizationEntity)
        .findOneBy({ secretFingerprint: this.hasher.fingerprint(credentials.organizationSecret) });
      if (organization === null || organization.id !== user.organizationId) return undefined;
      const [userOk, organizationOk] = await Promise.all([
        this.hasher.verify(credentials.userSecret, user.secretHash),
        this.hasher.verify(credentials.organizationSecret, organization.secretHash),
      ]);
      return userOk && organizationOk
        ? { organizationId: organization.id, userId: user.id, instanceId: null }
        : undefined;
    }
    const rows: Array<{ id: string; organization_id: string; token_ciphertext: string }> =
      await this.dataSource.query(
        'SELECT id, organization_id, token_ciphertext FROM instances WHERE token_fingerprint = $1',
        [this.hasher.fingerprint(credentials.elementToken)],
      );
    const instance = rows[0];
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
