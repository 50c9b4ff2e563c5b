import 'reflect-metadata';
import { bootService } from '@pollcast/service-kit';
import { AppModule } from './app.module';
import { envSchema } from './env';
import { DISPATCHER_VERSION } from './version';

bootService({
  service: 'dispatcher',
  envSchema,
  createModule: (env) => AppModule.register(env),
  openApi: {
    title: 'Pollcast dispatcher',
    description: 'Events API (Open Connectors-compatible): delivery log, queue, redelivery and replay',
    version: DISPATCHER_VERSION,
    upstreamAuthentication: true,
  },
});
