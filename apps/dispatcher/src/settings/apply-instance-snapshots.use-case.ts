import type { InstanceSnapshot } from '@pollcast/contracts';
import type { DeliveryInfoCache } from './delivery-info.cache';
import type { InstanceSettingsStore } from './instance-settings.store';

/** An instance snapshot (or a deletion: `snapshot` null) -> the instance's delivery settings. */
export class ApplyInstanceSnapshots {
  constructor(
    private readonly settings: InstanceSettingsStore,
    private readonly deliveryInfo: DeliveryInfoCache,
  ) {}

  async execute(
    changes: ReadonlyArray<{ key: string | null; snapshot: InstanceSnapshot | null }>,
  ): Promise<void> {
    for (const { key, snapshot } of changes) {
      const instanceId = snapshot?.id ?? key;
      if (snapshot === null) {
        if (key) await this.settings.remove(key);
      } else {
        await this.settings.apply(snapshot);
      }
      // The signature key or URL may have changed: the next delivery asks again.
      if (instanceId) this.deliveryInfo.forget(instanceId);
    }
  }
}
