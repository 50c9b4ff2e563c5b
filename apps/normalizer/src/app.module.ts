import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@pollcast/service-kit';
import { topicSpecs } from '@pollcast/contracts';
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
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'normalizer',
          env,
          database: normalizerDatabase,
          topics: topicSpecs(['rawChanges', 'events', 'rawChangesDlq'], {
            prefix: env.POLLCAST_TOPIC_PREFIX,
            partitions: env.KAFKA_TOPIC_PARTITIONS,
          }),
        }),
        SettingsModule.register(settingsFromEnv(env)),
        NormalizeModule,
      ],
      providers: [NormalizerMetrics, RawChangesConsumer],
    };
  }
}
