import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { generateSecret, SecretHasher } from '../crypto/secret-hash';
import type { UserEntity } from './tenant.entities';
import { tenantStore } from './tenant.store';

/** `pollcast user create` (and test harnesses): a new user of an existing organization; secret shown once. */
@Injectable()
export class CreateUser {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
  ) {}

  async execute(
    organizationId: string,
    email: string,
    secret = generateSecret(),
  ): Promise<{ user: UserEntity; secret: string }> {
    const manager = this.dataSource.manager;
    if ((await tenantStore.findOrganization(manager, organizationId)) === null)
      throw new Error(`organization ${organizationId} does not exist`);
    const hashed = await this.hasher.hash(secret);
    const user = await tenantStore.insertUser(manager, organizationId, email, hashed);
    return { user, secret };
  }
}
