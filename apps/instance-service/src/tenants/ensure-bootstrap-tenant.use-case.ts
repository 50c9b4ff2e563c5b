import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretHasher } from '../crypto/secret-hash';
import { tenantStore } from './tenant.store';

/**
 * Development bootstrap: the "Development" organization and its user exist with the given secrets.
 * Idempotent, and safe when replicas start together (an advisory lock serializes them).
 */
@Injectable()
export class EnsureBootstrapTenant {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
  ) {}

  async execute(
    organizationSecret: string,
    userSecret: string,
    email: string,
  ): Promise<{ organizationId: string; userId: string }> {
    return this.dataSource.transaction(async (manager) => {
      await tenantStore.lockBootstrap(manager);
      const organization =
        (await tenantStore.findOrganizationBySecret(manager, this.hasher.fingerprint(organizationSecret))) ??
        (await tenantStore.insertOrganization(
          manager,
          'Development',
          await this.hasher.hash(organizationSecret),
        ));
      let user = await tenantStore.findUserBySecret(manager, this.hasher.fingerprint(userSecret));
      if (user === null) {
        user = await tenantStore.insertUser(
          manager,
          organization.id,
          email,
          await this.hasher.hash(userSecret),
        );
      } else if (user.organizationId !== organization.id) {
        throw new Error('POLLCAST_BOOTSTRAP_USER_SECRET belongs to a user of another organization');
      }
      return { organizationId: organization.id, userId: user.id };
    });
  }
}
