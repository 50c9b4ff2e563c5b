import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  NotFoundException,
  Req,
  Res,
  type DynamicModule,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';

/** What the console needs to know at run time: where the poller's and dispatcher's APIs are. */
export interface ConsoleConfig {
  apiBase: string;
  pollerApiBase: string;
  dispatcherApiBase: string;
}

const CONSOLE_ROOT = Symbol('CONSOLE_ROOT');
/** Paths that are never the console's: an unknown API path must stay a JSON 404, not index.html. */
const NOT_CONSOLE = /^\/(elements\/api-v2|internal|health|metrics|docs)(\/|$|-json)/;

/**
 * Serves the console's static build at `/`, and index.html for its client-side routes
 * (`/oauth/callback?code=…` above all: the provider redirects there). A controller rather than
 * express.static middleware, so every request stays inside Nest's routing and error handling.
 */
@ApiExcludeController()
@Controller()
class ConsoleController {
  constructor(
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(CONSOLE_ROOT) private readonly root: string | null,
  ) {}

  @Get('console-config.json')
  @Header('Cache-Control', 'no-store')
  config(): ConsoleConfig {
    return {
      apiBase: '',
      pollerApiBase: this.env.CONSOLE_POLLER_API_BASE ?? '',
      dispatcherApiBase: this.env.CONSOLE_DISPATCHER_API_BASE ?? '',
    };
  }

  @Get('{*path}')
  serve(@Req() request: Request, @Res() response: Response): void {
    if (this.root === null || NOT_CONSOLE.test(request.path)) {
      throw new NotFoundException(`Cannot GET ${request.path}`);
    }
    const relative = decodeURIComponent(request.path).replace(/^\/+/, '');
    const file = resolve(this.root, relative);
    const isAsset =
      relative !== '' && file.startsWith(this.root) && existsSync(file) && statSync(file).isFile();
    // `root` makes sendFile refuse `..`; hashed assets are immutable, index.html never cached.
    response.sendFile(isAsset ? relative : 'index.html', {
      root: this.root,
      dotfiles: 'deny',
      headers: {
        'Cache-Control':
          isAsset && relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    });
  }
}

@Module({})
export class ConsoleModule {
  static register(env: Env): DynamicModule {
    // dist/console/console.module.js (or src/console in tests) → apps/console/dist
    const root = resolve(env.CONSOLE_DIST_DIR ?? join(__dirname, '..', '..', '..', 'console', 'dist'));
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_ROOT, useValue: existsSync(join(root, 'index.html')) ? root : null }],
    };
  }
}
