import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServeStaticModule } from '@nestjs/serve-static';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';

/** What the console needs to know at run time: where the poller's and dispatcher's APIs are. */
export interface ConsoleConfig {
  apiBase: string;
  pollerApiBase: string;
  dispatcherApiBase: string;
}

@ApiExcludeController()
@Controller()
class ConsoleConfigController {
  constructor(@Inject(SERVICE_ENV) private readonly env: Env) {}

  @Get('console-config.json')
  @Header('Cache-Control', 'no-store')
  config(): ConsoleConfig {
    return {
      apiBase: '',
      pollerApiBase: this.env.CONSOLE_POLLER_API_BASE ?? '',
      dispatcherApiBase: this.env.CONSOLE_DISPATCHER_API_BASE ?? '',
    };
  }
}

/** Paths that are never the console's (its SPA fallback must not answer them with index.html). */
const NOT_CONSOLE = [
  '/elements/api-v2/{*rest}',
  '/internal/{*rest}',
  '/health/{*rest}',
  '/metrics',
  '/docs{*rest}',
  '/console-config.json',
];

/** Serves the console's static build at `/`, with index.html for its client-side routes
 * (`/oauth/callback?code=…` above all: the provider redirects there). */
@Module({})
export class ConsoleModule {
  static register(env: Env): DynamicModule {
    // dist/console/console.module.js (or src/console in tests) → apps/console/dist
    const root = resolve(env.CONSOLE_DIST_DIR ?? join(__dirname, '..', '..', '..', 'console', 'dist'));
    const built = existsSync(join(root, 'index.html'));
    return {
      module: ConsoleModule,
      imports: built ? [ServeStaticModule.forRoot({ rootPath: root, exclude: NOT_CONSOLE })] : [],
      controllers: [ConsoleConfigController],
    };
  }
}
