import type { EntityManager } from 'typeorm';
import type { HashedSecret } from '../crypto/secret-hash';
import { OrganizationEntity, UserEntity } from './tenant.entities';

/** Organizations and users (the `organizations` and `users` tables). */
export const tenantStore = {
  async insertOrganization(
    manager: EntityManager,
    name: string,
    secret: HashedSecret,
  ): Promise<OrganizationEntity> {
    return manager
      .getRepository(OrganizationEntity)
      .save({ name, secretHash: secret.hash, secretFingerprint: secret.fingerprint });
  },

  async insertUser(
    manager: EntityManager,
    organizationId: string,
    email: string,
    secret: HashedSecret,
  ): Promise<UserEntity> {
    return manager
      .getRepository(UserEntity)
      .save({ organizationId, email, secretHash: secret.hash, secretFingerprint: secret.fingerprint });
  },

  async findOrganization(manager: EntityManager, id: string): Promise<OrganizationEntity | null> {
    return manager.getRepository(OrganizationEntity).findOneBy({ id });
  },

  async findOrganizationBySecret(
    manager: EntityManager,
    fingerprint: string,
  ): Promise<OrganizationEntity | null> {
    return manager.getRepository(OrganizationEntity).findOneBy({ secretFingerprint: fingerprint });
  },

  async findUserBySecret(manager: EntityManager, fingerprint: string): Promise<UserEntity | null> {
    return manager.getRepository(UserEntity).findOneBy({ secretFingerprint: fingerprint });
  },

  /** Serializes bootstrap transactions of replicas that start together (released at commit). */
  async lockBootstrap(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['pollcast-bootstrap-tenant']);
  },
};
