import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import { InstanceUpdater } from './instance-updater';

/** Internal: the dispatcher was told to stop (410 Gone): events off, snapshot published. */
@Injectable()
export class DisableEvents {
  constructor(
    @Inject(InstanceUpdater) private readonly updater: InstanceUpdater,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(id: string, reason: string): Promise<void> {
    await this.updater.apply('internal', id, (current) => ({
      ...current,
      events: { ...current.events, enabled: false },
      original: { ...current.original, 'event.notification.enabled': false },
    }));
    this.logger.warn({ instanceId: id, reason: reason.slice(0, 500) }, 'events disabled for an instance');
  }
}
