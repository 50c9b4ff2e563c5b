import 'reflect-metadata';
import { bootService } from '@pollcast/service-kit';
import { AppModule } from './app.module';
import { envSchema } from './env';

bootService({ service: 'poller-service', envSchema, createModule: (env) => AppModule.register(env) });
