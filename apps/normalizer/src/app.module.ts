import { Module, type DynamicModule } from '@nestjs/common';
import { serviceAppModule } from '@pollcast/service-kit';
import type { Env } from './env';
import { RawChangesConsumer } from './consumer/raw-changes.consumer';
import { NormalizerMetrics } from './metrics/normalizer-metrics';
import { NormalizeModule } from './normalize/normalize.module';
import { settingsFromEnv } from './settings';
import { SettingsModule } from './settings.module';
import { normalizerDatabase } from './state/state.module';

/** Raw changes -> standardized events. */
@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return serviceAppModule(AppModule, env, {
      service: 'normalizer',
      database: normalizerDatabase,
      topics: ['rawChanges', 'events', 'rawChangesDlq'],
      imports: [SettingsModule.register(settingsFromEnv(env)), NormalizeModule],
      controllers: [RawChangesConsumer],
      providers: [NormalizerMetrics],
    });
  }
}
