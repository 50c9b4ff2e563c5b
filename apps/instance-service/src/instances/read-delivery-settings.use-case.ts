import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InstanceRecords } from './instance-records';
import { InstanceSecrets } from './instance-secrets';

export interface DeliverySettings {
  instanceId: string;
  organizationId: string;
  elementKey: string;
  eventsEnabled: boolean;
  callbackUrl: string | null;
  signatureKey: string | null;
}

/** Internal: what the dispatcher needs to deliver, the signature key in clear. */
@Injectable()
export class ReadDeliverySettings {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
    @Inject(InstanceSecrets) private readonly secrets: InstanceSecrets,
  ) {}

  async execute(id: string): Promise<DeliverySettings> {
    const record = await this.records.find(this.dataSource.manager, 'internal', id, false);
    const config = this.secrets.openConfig(record);
    return {
      instanceId: record.id,
      organizationId: record.organizationId,
      elementKey: record.elementKey,
      eventsEnabled: config.events.enabled && !record.disabled,
      callbackUrl: config.events.callbackUrl ?? null,
      signatureKey:
        config.events.signatureKey === undefined || config.events.signatureKey === ''
          ? null
          : config.events.signatureKey,
    };
  }
}
