import { Module, type DynamicModule } from '@nestjs/common';
import { serviceAppModule } from '@pollcast/service-kit';
import { DISPATCHER_ENTITIES, DISPATCHER_MIGRATIONS } from './database/dispatcher.entities';
import { DispatcherModule } from './dispatcher.module';
import type { Env } from './env';

/** Events -> signed callbacks with retries, queue and replay. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return serviceAppModule(AppModule, env, {
      service: 'dispatcher',
      database: { schema: 'dispatcher', entities: DISPATCHER_ENTITIES, migrations: DISPATCHER_MIGRATIONS },
      topics: ['instances', 'events', 'instancesDlq', 'eventsDlq'],
      imports: [DispatcherModule.register(env)],
    });
  }
}
