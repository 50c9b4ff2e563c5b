import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { TenantAuthModule } from '@pollcast/tenant-auth';
import { topicSpecs } from '@pollcast/contracts';
import type { Env } from './env';
import { POLLER_ENTITIES } from './database/entities';
import { POLLER_MIGRATIONS } from './database/migrations';
import { ScheduleModule } from './schedule/schedule.module';
import { PollingModule } from './polling/polling.module';
import { RunsModule } from './runs/runs.module';
import { ApiModule } from './api/api.module';

/** Schedules and runs polls; publishes raw changes. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'poller-service',
          env,
          database: { schema: 'poller', entities: POLLER_ENTITIES, migrations: POLLER_MIGRATIONS },
          topics: topicSpecs(['instances', 'rawChanges', 'instancesDlq'], {
            prefix: env.POLLCAST_TOPIC_PREFIX,
            partitions: env.KAFKA_TOPIC_PARTITIONS,
          }),
        }),
        TenantAuthModule.forRoot({
          instanceServiceUrl: env.INSTANCE_SERVICE_URL,
          serviceToken: env.POLLCAST_SERVICE_TOKEN,
        }),
        ScheduleModule,
        PollingModule,
        RunsModule,
        ApiModule,
      ],
    };
  }
}
