import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { NotificationStore } from '../delivery/notification.store';

export interface PruneHistoryOptions {
  retentionDays: number;
  intervalSeconds: number;
}

/**
 * Keeps the delivery history (delivered and failed notifications, their attempts and events) for
 * DISPATCHER_HISTORY_RETENTION_DAYS. Every replica prunes; the batches skip each other's locked rows.
 */
export class PruneHistoryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly options: PruneHistoryOptions,
    private readonly store: NotificationStore,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneNow(), this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  async pruneNow(now = new Date()): Promise<{ notifications: number; events: number }> {
    const before = new Date(now.getTime() - this.options.retentionDays * 86_400_000);
    const pruning = this.store.pruneFinished(before);
    this.running = pruning.catch(() => undefined);
    try {
      const pruned = await pruning;
      if (pruned.notifications > 0) this.logger.info({ ...pruned, before }, 'old delivery history pruned');
      return pruned;
    } catch (error) {
      this.logger.error({ err: error }, 'pruning the delivery history failed; the next run tries again');
      return { notifications: 0, events: 0 };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running; // the database closes after this
  }
}
