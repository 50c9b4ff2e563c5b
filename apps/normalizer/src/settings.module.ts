import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NORMALIZER_SETTINGS, type NormalizerSettings } from './settings';

/** Makes the normalizer's settings injectable in every feature module. */
@Global()
@Module({})
export class SettingsModule {
  static register(settings: NormalizerSettings): DynamicModule {
    return {
      module: SettingsModule,
      providers: [{ provide: NORMALIZER_SETTINGS, useValue: settings }],
      exports: [NORMALIZER_SETTINGS],
    };
  }
}
