import type { DataSource } from 'typeorm';
import type { InstanceSnapshot } from '@pollcast/contracts';

/** Delivery settings as the dispatcher knows them from the instances topic. */
export interface InstanceSettings {
  instanceId: string;
  organizationId: string;
  elementKey: string;
  enabled: boolean;
  eventsEnabled: boolean;
  callbackUrl: string | null;
  hasSignatureKey: boolean;
  version: number;
}

interface SettingsRow {
  instance_id: string;
  organization_id: string;
  element_key: string;
  enabled: boolean;
  events_enabled: boolean;
  callback_url: string | null;
  has_signature_key: boolean;
  version: number;
}

const toSettings = (row: SettingsRow): InstanceSettings => ({
  instanceId: row.instance_id,
  organizationId: row.organization_id,
  elementKey: row.element_key,
  enabled: row.enabled,
  eventsEnabled: row.events_enabled,
  callbackUrl: row.callback_url,
  hasSignatureKey: row.has_signature_key,
  version: row.version,
});

/** Instance settings in Postgres, so every replica sees the same and a restart needs no replay. */
export class InstanceSettingsStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Applies a snapshot unless a newer one is already stored. Returns whether it changed anything. */
  async apply(snapshot: InstanceSnapshot): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO instance_settings AS current
         (instance_id, organization_id, element_key, enabled, events_enabled, callback_url, has_signature_key, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (instance_id) DO UPDATE SET
         organization_id = EXCLUDED.organization_id, element_key = EXCLUDED.element_key,
         enabled = EXCLUDED.enabled, events_enabled = EXCLUDED.events_enabled,
         callback_url = EXCLUDED.callback_url, has_signature_key = EXCLUDED.has_signature_key,
         version = EXCLUDED.version, updated_at = now()
       WHERE current.version <= EXCLUDED.version
       RETURNING instance_id`,
      [
        snapshot.id,
        snapshot.organizationId,
        snapshot.elementKey,
        snapshot.enabled,
        snapshot.events.enabled,
        snapshot.events.callbackUrl ?? null,
        snapshot.events.hasSignatureKey,
        snapshot.version,
      ],
    );
    return rows.length > 0;
  }

  async remove(instanceId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM instance_settings WHERE instance_id = $1`, [instanceId]);
  }

  /** After a 410: stop delivering at once, before instance-service's new snapshot arrives. */
  async markEventsDisabled(instanceId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE instance_settings SET events_enabled = false WHERE instance_id = $1`,
      [instanceId],
    );
  }

  async get(instanceId: string): Promise<InstanceSettings | undefined> {
    const rows: SettingsRow[] = await this.dataSource.query(
      `SELECT * FROM instance_settings WHERE instance_id = $1`,
      [instanceId],
    );
    return rows[0] ? toSettings(rows[0]) : undefined;
  }

  async getMany(instanceIds: ReadonlyArray<string>): Promise<Map<string, InstanceSettings>> {
    if (instanceIds.length === 0) return new Map();
    const rows: SettingsRow[] = await this.dataSource.query(
      `SELECT * FROM instance_settings WHERE instance_id = ANY($1::text[])`,
      [[...new Set(instanceIds)]],
    );
    return new Map(rows.map((row) => [row.instance_id, toSettings(row)]));
  }
}
