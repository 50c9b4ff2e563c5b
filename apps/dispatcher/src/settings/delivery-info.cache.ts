import { LRUCache } from 'lru-cache';
import type { DeliveryInfo } from '@pollcast/contracts';
import { InstanceClient, InstanceServiceRefusedError } from '@pollcast/instance-client';

/** Enough for every active instance of a large deployment; a miss costs one internal request. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

export interface DeliveryInfoCacheOptions {
  baseUrl: string;
  serviceToken: string;
  /** How long a delivery answer (with its signature key) is reused. */
  cacheTtlMs: number;
  /** At most this many answers are kept (least recently used go first); ids come from tenant data,
   * 404s included, so the cache must not grow with every id ever asked for. */
  cacheMaxEntries?: number;
  timeoutMs?: number;
}

/**
 * What instance-service tells the dispatcher about its instances (through @pollcast/instance-client),
 * cached briefly. Signature keys live only in this cache (memory, briefly); they are never logged,
 * stored or put on Kafka. Transient failures reject with InstanceServiceUnavailableError.
 */
export class DeliveryInfoCache {
  private readonly client: InstanceClient;
  /** undefined when caching is off (cacheTtlMs 0). */
  private readonly cache: LRUCache<string, { info: DeliveryInfo | null }> | undefined;
  private readonly inFlight = new Map<string, Promise<DeliveryInfo | null>>();

  constructor(options: DeliveryInfoCacheOptions) {
    this.client = new InstanceClient({
      baseUrl: options.baseUrl,
      serviceToken: options.serviceToken,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    this.cache =
      options.cacheTtlMs > 0
        ? new LRUCache({ max: options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES, ttl: options.cacheTtlMs })
        : undefined;
  }

  /** Answers held now (for tests and metrics). */
  get cachedEntries(): number {
    return this.cache?.size ?? 0;
  }

  /** null = instance-service does not know the instance (deleted). */
  async deliveryInfo(instanceId: string): Promise<DeliveryInfo | null> {
    const cached = this.cache?.get(instanceId);
    if (cached) return cached.info;
    // One request per instance at a time: a burst of notifications does not stampede instance-service.
    let pending = this.inFlight.get(instanceId);
    if (!pending) {
      pending = this.fetchDeliveryInfo(instanceId).finally(() => this.inFlight.delete(instanceId));
      this.inFlight.set(instanceId, pending);
    }
    return pending;
  }

  forget(instanceId: string): void {
    this.cache?.delete(instanceId);
  }

  /** Tells instance-service to turn the instance's events off (the endpoint answered 410 Gone); an
   * instance it no longer knows has nothing left to turn off. */
  async disableEvents(instanceId: string, reason: string): Promise<void> {
    try {
      await this.client.disableEvents(instanceId, reason);
    } catch (error) {
      if (!(error instanceof InstanceServiceRefusedError && error.status === 404)) throw error;
    }
    this.forget(instanceId);
  }

  private async fetchDeliveryInfo(instanceId: string): Promise<DeliveryInfo | null> {
    let info: DeliveryInfo | null;
    try {
      info = await this.client.deliveryInfo(instanceId);
    } catch (error) {
      if (!(error instanceof InstanceServiceRefusedError && error.status === 404)) throw error;
      info = null;
    }
    this.cache?.set(instanceId, { info });
    return info;
  }
}
