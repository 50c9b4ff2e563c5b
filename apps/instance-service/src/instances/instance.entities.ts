import type { CanonicalInstanceConfig } from '@pollcast/config-schema';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'instances' })
export class InstanceEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('bigint', { name: 'organization_id' }) organizationId!: string;
  @Column('bigint', { name: 'user_id' }) userId!: string;
  @Column('text', { name: 'element_key' }) elementKey!: string;
  @Column('text') name!: string;
  @Column('text', { array: true }) tags!: string[];
  @Column('boolean') disabled!: boolean;
  @Column('boolean') valid!: boolean;
  @Column('boolean', { name: 'events_enabled' }) eventsEnabled!: boolean;
  /** HMAC of the instance token: `Element <token>` finds its instance through this index. */
  @Column('text', { name: 'token_fingerprint', unique: true }) tokenFingerprint!: string;
  @Column('text', { name: 'token_ciphertext' }) tokenCiphertext!: string;
  /** The whole canonical configuration, encrypted: it holds the OAuth secret and the signature key. */
  @Column('text', { name: 'config_ciphertext' }) configCiphertext!: string;
  /** The canonical configuration with secrets masked: what responses and snapshots are made of. */
  @Column('jsonb', { name: 'public_config' }) publicConfig!: CanonicalInstanceConfig;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'instance_credentials' })
export class InstanceCredentialsEntity {
  @PrimaryColumn('bigint', { name: 'instance_id' }) instanceId!: string;
  @Column('text', { name: 'access_token_ciphertext' }) accessTokenCiphertext!: string;
  @Column('text', { name: 'refresh_token_ciphertext' }) refreshTokenCiphertext!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'refreshed_at' }) refreshedAt!: Date;
  @Column('text', { name: 'refresh_failure', nullable: true }) refreshFailure!: string | null;
}
