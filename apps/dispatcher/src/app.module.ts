import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { topicSpecs } from '@pollcast/contracts';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from './database/entities';
import { DispatcherModule } from './dispatcher.module';
import type { Env } from './env';

/** Events -> signed callbacks with retries, queue and replay. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'dispatcher',
          env,
          database: {
            schema: 'dispatcher',
            entities: DISPATCHER_ENTITIES,
            migrations: DISPATCHER_MIGRATIONS,
          },
          topics: topicSpecs(['instances', 'events', 'instancesDlq', 'eventsDlq'], {
            prefix: env.POLLCAST_TOPIC_PREFIX,
            partitions: env.KAFKA_TOPIC_PARTITIONS,
          }),
        }),
        DispatcherModule.register(env),
      ],
    };
  }
}
