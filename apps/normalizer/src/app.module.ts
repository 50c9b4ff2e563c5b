import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { topicSpecs } from '@pollcast/contracts';
import type { Env } from './env';

/** Raw changes -> standardized events. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'normalizer',
          env,
          database: { schema: 'normalizer', entities: [], migrations: [] },
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
