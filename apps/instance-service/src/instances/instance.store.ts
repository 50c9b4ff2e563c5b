import type { CanonicalInstanceConfig } from '@pollcast/config-schema';
import type { EntityManager } from 'typeorm';
import type { StoredInstance } from './instance-mapper';

/** An instance row with its ciphertexts (never leaves the service). */
export interface InstanceRecord extends StoredInstance {
  tokenCiphertext: string;
  configCiphertext: string;
}

interface InstanceRow {
  id: string;
  organization_id: string;
  user_id: string;
  user_email: string;
  element_key: string;
  name: string;
  tags: string[];
  disabled: boolean;
  valid: boolean;
  public_config: CanonicalInstanceConfig;
  version: number;
  created_at: Date;
  updated_at: Date;
  token_ciphertext: string;
  config_ciphertext: string;
}

const SELECT_INSTANCE = `
  SELECT i.id, i.organization_id, i.user_id, u.email AS user_email, i.element_key, i.name, i.tags,
         i.disabled, i.valid, i.public_config, i.version, i.created_at, i.updated_at,
         i.token_ciphertext, i.config_ciphertext
  FROM instances i JOIN users u ON u.id = i.user_id`;

/** Instance ids are bigint: anything else (or out of range) is simply "not found", never a database error. */
export function isInstanceId(value: string): boolean {
  return /^[1-9]\d{0,17}$/.test(value);
}

function toRecord(row: InstanceRow): InstanceRecord {
  return {
    id: String(row.id),
    organizationId: String(row.organization_id),
    userId: String(row.user_id),
    userEmail: row.user_email,
    elementKey: row.element_key,
    name: row.name,
    tags: row.tags,
    disabled: row.disabled,
    valid: row.valid,
    publicConfig: row.public_config,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tokenCiphertext: row.token_ciphertext,
    configCiphertext: row.config_ciphertext,
  };
}

export interface NewInstanceRow {
  id: string;
  organizationId: string;
  userId: string;
  elementKey: string;
  name: string;
  tags: string[];
  disabled: boolean;
  valid: boolean;
  eventsEnabled: boolean;
  tokenFingerprint: string;
  tokenCiphertext: string;
  configCiphertext: string;
  publicConfig: CanonicalInstanceConfig;
}

export type InstanceChanges = Pick<
  NewInstanceRow,
  'name' | 'tags' | 'disabled' | 'valid' | 'eventsEnabled' | 'configCiphertext' | 'publicConfig'
>;

export interface EncryptedCredentials {
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string;
  expiresAt: Date;
}

/** SQL for the instance tables; every read is scoped by organization unless the caller is internal. */
export interface CredentialsRow {
  access_token_ciphertext: string;
  refresh_token_ciphertext: string;
  expires_at: Date;
  refreshed_at: Date;
  refreshed_at_text: string;
}

export const instanceStore = {
  async nextId(manager: EntityManager): Promise<string> {
    const [row] = await manager.query<Array<{ id: string }>>(
      "SELECT nextval(pg_get_serial_sequence('instances', 'id'))::text AS id",
    );
    if (row === undefined) throw new Error('no id from the instances sequence');
    return row.id;
  },

  async find(
    manager: EntityManager,
    id: string,
    scope: { organizationId: string } | 'internal',
    lock = false,
  ): Promise<InstanceRecord | undefined> {
    if (!isInstanceId(id)) return undefined;
    const parameters = scope === 'internal' ? [id] : [id, scope.organizationId];
    const where = scope === 'internal' ? 'WHERE i.id = $1' : 'WHERE i.id = $1 AND i.organization_id = $2';
    const rows = await manager.query<InstanceRow[]>(
      `${SELECT_INSTANCE} ${where}${lock ? ' FOR UPDATE OF i' : ''}`,
      parameters,
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  },

  async list(
    manager: EntityManager,
    organizationId: string,
    options: { tags: string[]; afterId: string | undefined; limit: number; onlyId: string | undefined },
  ): Promise<InstanceRecord[]> {
    const conditions = ['i.organization_id = $1'];
    const parameters: unknown[] = [organizationId];
    if (options.tags.length > 0) {
      parameters.push(options.tags);
      conditions.push(`i.tags && $${parameters.length}::text[]`);
    }
    if (options.afterId !== undefined) {
      parameters.push(options.afterId);
      conditions.push(`i.id > $${parameters.length}`);
    }
    if (options.onlyId !== undefined) {
      parameters.push(options.onlyId);
      conditions.push(`i.id = $${parameters.length}`);
    }
    parameters.push(options.limit);
    const rows = await manager.query<InstanceRow[]>(
      `${SELECT_INSTANCE} WHERE ${conditions.join(' AND ')} ORDER BY i.id LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map(toRecord);
  },

  async insert(
    manager: EntityManager,
    row: NewInstanceRow,
    credentials: EncryptedCredentials,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO instances (id, organization_id, user_id, element_key, name, tags, disabled, valid, events_enabled,
         token_fingerprint, token_ciphertext, config_ciphertext, public_config, version)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12, $13::jsonb, 1)`,
      [
        row.id,
        row.organizationId,
        row.userId,
        row.elementKey,
        row.name,
        row.tags,
        row.disabled,
        row.valid,
        row.eventsEnabled,
        row.tokenFingerprint,
        row.tokenCiphertext,
        row.configCiphertext,
        JSON.stringify(row.publicConfig),
      ],
    );
    await this.saveCredentials(manager, row.id, credentials);
  },

  /** Applies changes, bumps the version and returns the updated row. */
  async update(
    manager: EntityManager,
    current: InstanceRecord,
    changes: InstanceChanges,
  ): Promise<InstanceRecord> {
    const rows = await manager.query<[Array<{ version: number; updated_at: Date }>, number]>(
      `UPDATE instances SET name = $2, tags = $3::text[], disabled = $4, valid = $5, events_enabled = $6,
         config_ciphertext = $7, public_config = $8::jsonb, version = version + 1, updated_at = now()
       WHERE id = $1
       RETURNING version, updated_at`,
      [
        current.id,
        changes.name,
        changes.tags,
        changes.disabled,
        changes.valid,
        changes.eventsEnabled,
        changes.configCiphertext,
        JSON.stringify(changes.publicConfig),
      ],
    );
    // TypeORM returns [rows, affected] for UPDATE … RETURNING on postgres.
    const updated = rows[0][0];
    if (updated === undefined) throw new Error(`instance ${current.id} vanished during an update`);
    return {
      ...current,
      name: changes.name,
      tags: changes.tags,
      disabled: changes.disabled,
      valid: changes.valid,
      configCiphertext: changes.configCiphertext,
      publicConfig: changes.publicConfig,
      version: updated.version,
      updatedAt: updated.updated_at,
    };
  },

  /** `refreshed_at` is the wall clock of the save (not the transaction start): callers that queued behind
   * a refresh compare it with their arrival time. */
  async saveCredentials(
    manager: EntityManager,
    instanceId: string,
    credentials: EncryptedCredentials,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO instance_credentials (instance_id, access_token_ciphertext, refresh_token_ciphertext, expires_at, refreshed_at, refresh_failure)
       VALUES ($1, $2, $3, $4, clock_timestamp(), NULL)
       ON CONFLICT (instance_id) DO UPDATE SET access_token_ciphertext = EXCLUDED.access_token_ciphertext,
         refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext, expires_at = EXCLUDED.expires_at,
         refreshed_at = clock_timestamp(), refresh_failure = NULL`,
      [
        instanceId,
        credentials.accessTokenCiphertext,
        credentials.refreshTokenCiphertext,
        credentials.expiresAt,
      ],
    );
  },

  /** The stored credentials; `refreshed_at_text` keeps the microseconds a JS Date loses. */
  async findCredentials(manager: EntityManager, instanceId: string): Promise<CredentialsRow | undefined> {
    const rows = await manager.query<CredentialsRow[]>(
      `SELECT access_token_ciphertext, refresh_token_ciphertext, expires_at, refreshed_at,
              refreshed_at::text AS refreshed_at_text
       FROM instance_credentials WHERE instance_id = $1`,
      [instanceId],
    );
    return rows[0];
  },

  /** Takes the refresh lease for `leaseMs` if nobody holds it and the credentials are still the ones
   * saved at `refreshedAtText`; true when taken. One statement, no lock held afterwards. */
  async takeRefreshLease(
    manager: EntityManager,
    instanceId: string,
    refreshedAtText: string,
    leaseMs: number,
  ): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
    const [leased] = await manager.query<Array<{ taken: number }>>(
      `WITH taken AS (
         UPDATE instance_credentials
         SET refresh_lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
         WHERE instance_id = $1 AND refreshed_at = $2::timestamptz
           AND (refresh_lease_until IS NULL OR refresh_lease_until < clock_timestamp())
         RETURNING instance_id)
       SELECT count(*)::int AS taken FROM taken`,
      [instanceId, refreshedAtText, leaseMs],
    );
    return leased?.taken === 1;
  },

  /** Ends the refresh lease, recording why the provider refused the refresh (if it did). */
  async releaseRefreshLease(
    manager: EntityManager,
    instanceId: string,
    refusal: string | null,
  ): Promise<void> {
    await manager.query(
      'UPDATE instance_credentials SET refresh_lease_until = NULL, refresh_failure = COALESCE($2, refresh_failure) WHERE instance_id = $1',
      [instanceId, refusal],
    );
  },

  /** The database's wall clock (what `refreshed_at` is written with). */
  async clock(manager: EntityManager): Promise<Date | undefined> {
    return (await manager.query<Array<{ at: Date }>>('SELECT clock_timestamp() AS at'))[0]?.at;
  },

  /** The instance an Element token belongs to, by the token's fingerprint. */
  async findByTokenFingerprint(
    manager: EntityManager,
    fingerprint: string,
  ): Promise<{ id: string; organization_id: string; token_ciphertext: string } | undefined> {
    const rows = await manager.query<
      Array<{ id: string; organization_id: string; token_ciphertext: string }>
    >('SELECT id, organization_id, token_ciphertext FROM instances WHERE token_fingerprint = $1', [
      fingerprint,
    ]);
    return rows[0];
  },

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query('DELETE FROM instances WHERE id = $1', [id]);
  },
};
