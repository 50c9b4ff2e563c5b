import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { InstanceSnapshot } from '@pollcast/contracts';
import { intervalUnitSeconds, type Env } from '../env';
import { ScheduleStore } from './schedule.store';
import { firstWatermark, jitterMs } from './timing';

/** Is anything of this instance to be polled? */
export function isPolling(snapshot: InstanceSnapshot): boolean {
  return (
    snapshot.enabled && snapshot.valid && snapshot.events.enabled && snapshot.events.vendorType === 'polling'
  );
}

/** Reflects an instance snapshot (or its deletion) in the poller's schedule. */
@Injectable()
export class ApplyInstanceSnapshot {
  constructor(
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(SERVICE_ENV) private readonly env: Env,
  ) {}

  /** Returns false when a snapshot at least as new is already stored (replays, out-of-order copies). */
  async apply(snapshot: InstanceSnapshot, now = new Date()): Promise<boolean> {
    const intervalSeconds = Math.max(
      1,
      Math.round(snapshot.events.refreshIntervalMinutes * intervalUnitSeconds(this.env)),
    );
    const maxJitterMs = Math.min(intervalSeconds, this.env.POLLER_START_JITTER_SECONDS) * 1000;
    const lookbackMs = this.env.POLLER_FIRST_POLL_LOOKBACK_SECONDS * 1000;
    return this.schedules.applySnapshot({
      instance: {
        id: snapshot.id,
        organizationId: snapshot.organizationId,
        elementKey: snapshot.elementKey,
        elementConfig: snapshot.elementConfig,
        active: isPolling(snapshot),
        version: snapshot.version,
        instanceCreatedAt: new Date(snapshot.createdAt),
      },
      intervalSeconds,
      reconcileUnitSeconds: intervalUnitSeconds(this.env),
      resources: snapshot.events.resources.map((config) => ({
        resource: config.resource,
        config,
        startJitterMs: jitterMs(maxJitterMs),
        reconcileIntervalSeconds:
          config.deletions?.mode === 'reconcile'
            ? config.deletions.intervalMinutes * intervalUnitSeconds(this.env)
            : null,
      })),
      // A new instance polls from its creation; a resource added later from the change that added it.
      firstWatermark: (instanceIsNew) =>
        firstWatermark(new Date(instanceIsNew ? snapshot.createdAt : snapshot.updatedAt), now, lookbackMs),
    });
  }

  async delete(instanceId: string): Promise<void> {
    await this.schedules.deleteInstance(instanceId);
  }
}
