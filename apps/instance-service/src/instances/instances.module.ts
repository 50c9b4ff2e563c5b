import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { TenantsModule } from '../tenants/tenants.module';
import { CreateInstance } from './create-instance.use-case';
import { DeleteInstance } from './delete-instance.use-case';
import { DisableEvents } from './disable-events.use-case';
import { InstanceBodyParser } from './instance-body';
import { InstanceReadCache } from './instance-read-cache';
import { InstanceRecords } from './instance-records';
import { InstanceSecrets } from './instance-secrets';
import { InstanceUpdater } from './instance-updater';
import { InstancesController } from './instances.controller';
import { ListInstances } from './list-instances.use-case';
import { ProviderAuthorization } from './provider-authorization';
import { ReadConfiguration } from './read-configuration.use-case';
import { ReadDeliverySettings } from './read-delivery-settings.use-case';
import { ReadInstance } from './read-instance.use-case';
import { SetInstanceEnabled } from './set-instance-enabled.use-case';
import { UpdateConfigurationEntry } from './update-configuration-entry.use-case';
import { UpdateInstance } from './update-instance.use-case';

/** Instances: the public routes' use cases, the internal ones' (delivery, disable events), and the shared pieces token refresh needs. */
@Module({
  imports: [TenantsModule, OutboxModule],
  controllers: [InstancesController],
  providers: [
    InstanceSecrets,
    ProviderAuthorization,
    InstanceReadCache,
    InstanceRecords,
    InstanceBodyParser,
    InstanceUpdater,
    CreateInstance,
    ListInstances,
    ReadInstance,
    ReadConfiguration,
    UpdateInstance,
    UpdateConfigurationEntry,
    SetInstanceEnabled,
    DeleteInstance,
    ReadDeliverySettings,
    DisableEvents,
  ],
  exports: [InstanceSecrets, ProviderAuthorization, InstanceRecords, ReadDeliverySettings, DisableEvents],
})
export class InstancesModule {}
