import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { topicSpecs } from '@pollcast/contracts';
import type { Env } from './env';

/** Public /elements/api-v2 API: tenants, instances, OAuth, secrets, instance snapshots. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'instance-service',
          env,
          database: { schema: 'instance', entities: [], migrations: [] },
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
