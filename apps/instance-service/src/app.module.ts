import { Module, type DynamicModule } from '@nestjs/common';
import { serviceAppModule } from '@pollcast/service-kit';
import { ConsoleModule } from './console/console.module';
import { CryptoModule } from './crypto/crypto.module';
import type { Env } from './env';
import { InstanceCredentialsEntity, InstanceEntity } from './instances/instance.entities';
import { InstancesModule } from './instances/instances.module';
import { InternalModule } from './internal/internal.module';
import { InitialSchema1761000000000 } from './migrations/1761000000000-initial-schema';
import { RefreshLease1764500000000 } from './migrations/1764500000000-refresh-lease';
import { InstanceChangeNotify1796600000000 } from './migrations/1796600000000-instance-change-notify';
import { OAuthModule } from './oauth/oauth.module';
import { OutboxMessageEntity } from './outbox/outbox.entities';
import { OrganizationEntity, UserEntity } from './tenants/tenant.entities';
import { TenantsModule } from './tenants/tenants.module';

export const INSTANCE_SERVICE_ENTITIES = [
  OrganizationEntity,
  UserEntity,
  InstanceEntity,
  InstanceCredentialsEntity,
  OutboxMessageEntity,
];
export const INSTANCE_SERVICE_MIGRATIONS = [
  InitialSchema1761000000000,
  RefreshLease1764500000000,
  InstanceChangeNotify1796600000000,
];

/** Public /elements/api-v2 API: tenants, instances, OAuth, secrets, instance snapshots. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return serviceAppModule(AppModule, env, {
      service: 'instance-service',
      database: {
        schema: 'instance',
        entities: INSTANCE_SERVICE_ENTITIES,
        migrations: INSTANCE_SERVICE_MIGRATIONS,
      },
      topics: ['instances', 'rawChanges', 'events', 'instancesDlq', 'rawChangesDlq', 'eventsDlq'],
      // The API works while Kafka is away: the outbox keeps the snapshots until the relay can publish.
      readyWithoutKafka: true,
      imports: [
        CryptoModule.register(env),
        TenantsModule,
        InstancesModule,
        OAuthModule,
        InternalModule,
        ConsoleModule.register(env),
      ],
    });
  }
}
