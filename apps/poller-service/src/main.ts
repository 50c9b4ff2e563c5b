import 'reflect-metadata';
import { bootService } from '@pollcast/service-kit';
import { AppModule } from './app.module';
import { envSchema } from './env';

bootService({
  service: 'poller-service',
  envSchema,
  createModule: (env) => AppModule.register(env),
  openApi: {
    title: 'Pollcast poller-service',
    description: 'Poll runs, per-resource poller state, poll now, watermark resets',
    version: '1',
    upstreamAuthentication: true,
  },
});
