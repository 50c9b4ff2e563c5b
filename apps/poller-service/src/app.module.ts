import { Module, type DynamicModule } from '@nestjs/common';
import { serviceAppModule } from '@pollcast/service-kit';
import { TenantAuthModule } from '@pollcast/tenant-auth';
import type { Env } from './env';
import { POLLER_ENTITIES } from './database/poller.entities';
import { POLLER_MIGRATIONS } from './migrations/1764441600000-poller-schema';
import { ScheduleModule } from './schedule/schedule.module';
import { PollingModule } from './polling/polling.module';
import { RunsModule } from './runs/runs.module';
import { ApiModule } from './api/api.module';

/** Schedules and runs polls; publishes raw changes. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return serviceAppModule(AppModule, env, {
      service: 'poller-service',
      database: { schema: 'poller', entities: POLLER_ENTITIES, migrations: POLLER_MIGRATIONS },
      topics: ['instances', 'rawChanges', 'instancesDlq'],
      imports: [
        TenantAuthModule.forRoot({
          instanceServiceUrl: env.INSTANCE_SERVICE_URL,
          serviceToken: env.POLLCAST_SERVICE_TOKEN,
        }),
        ScheduleModule,
        PollingModule,
        RunsModule,
        ApiModule,
      ],
    });
  }
}
