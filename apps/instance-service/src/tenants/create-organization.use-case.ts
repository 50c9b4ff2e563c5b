import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { generateSecret, SecretHasher } from '../crypto/secret-hash';
import type { OrganizationEntity } from './tenant.entities';
import { tenantStore } from './tenant.store';

/** `pollcast org create` (and test harnesses): a new organization; its secret is shown once, stored hashed. */
@Injectable()
export class CreateOrganization {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
  ) {}

  async execute(
    name: string,
    secret = generateSecret(),
  ): Promise<{ organization: OrganizationEntity; secret: string }> {
    const hashed = await this.hasher.hash(secret);
    const organization = await tenantStore.insertOrganization(this.dataSource.manager, name, hashed);
    return { organization, secret };
  }
}
