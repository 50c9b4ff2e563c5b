import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER, SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';
import { RunsStore } from './runs.store';

/** Keeps poll runs for POLLER_RUN_RETENTION_DAYS. Every replica prunes; deleting twice is harmless. */
@Injectable()
export class PruneRunsJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(RunsStore) private readonly runs: RunsStore,
  ) {
    this.logger = logger.child({ component: 'prune-runs' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneNow(), this.env.POLLER_PRUNE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  async pruneNow(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.env.POLLER_RUN_RETENTION_DAYS * 86_400_000);
    try {
      const deleted = await this.runs.prune(before);
      if (deleted > 0) this.logger.info({ deleted, before }, 'old poll runs pruned');
      return deleted;
    } catch (error) {
      this.logger.error({ err: error }, 'pruning poll runs failed');
      return 0;
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
