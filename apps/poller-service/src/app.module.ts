import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { topicSpecs } from '@pollcast/contracts';
import type { Env } from './env';

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
          database: { schema: 'poller', entities: [], migrations: [] },
          topics: topicSpecs(
            ['instances', 'rawChanges', 'events', 'instancesDlq', 'rawChangesDlq', 'eventsDlq'],
            {
              prefix: env.POLLCAST_TOPIC_PREFIX,
              partitions: env.KAFKA_TOPIC_PARTITIONS,
            },
          ),
        }),
      ],
    };
  }
}
