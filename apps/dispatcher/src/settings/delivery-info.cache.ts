import { LRUCache } from 'lru-cache';
import { request } from 'undici';
import { z } from 'zod';

/** What instance-service tells the dispatcher about one instance (GET /internal/instances/{id}/delivery). */
export const deliveryInfoSchema = z.object({
  instanceId: z.string().min(1),
  organizationId: z.string().min(1),
  elementKey: z.string().min(1),
  eventsEnabled: z.boolean(),
  callbackUrl: z.string().nullable(),
  signatureKey: z.string().nullable(),
});
export type DeliveryInfo = z.infer<typeof deliveryInfoSchema>;

export class InstanceServiceUnavailableError extends Error {}

/** Enough for every active instance of a large deployment; a miss costs one internal request. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

export interface InstanceServiceClientOptions {
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
 * The dispatcher's calls to instance-service's internal API. Signature keys live only in this cache
 * (memory, briefly); they are never logged, stored or put on Kafka.
 */
export class InstanceServiceClient {
  /** undefined when caching is off (cacheTtlMs 0). */
  private readonly cache: LRUCache<string, { info: DeliveryInfo | null }> | undefined;
  private readonly inFlight = new Map<string, Promise<DeliveryInfo | null>>();

  constructor(private readonly options: InstanceServiceClientOptions) {
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

  /** Tells instance-service to turn the instance's events off (the endpoint answered 410 Gone). */
  async disableEvents(instanceId: string, reason: string): Promise<void> {
    const response = await this.call(
      'POST',
      `/internal/instances/${encodeURIComponent(instanceId)}/events/disable`,
      {
        reason,
      },
    );
    await response.body.dump();
    if (response.statusCode !== 204 && response.statusCode !== 200 && response.statusCode !== 404) {
      throw new InstanceServiceUnavailableError(`events/disable answered ${response.statusCode}`);
    }
    this.forget(instanceId);
  }

  private async fetchDeliveryInfo(instanceId: string): Promise<DeliveryInfo | null> {
    const response = await this.call('GET', `/internal/instances/${encodeURIComponent(instanceId)}/delivery`);
    let info: DeliveryInfo | null;
    if (response.statusCode === 404) {
      await response.body.dump();
      info = null;
    } else if (response.statusCode === 200) {
      const parsed = deliveryInfoSchema.safeParse(await response.body.json());
      if (!parsed.success)
        throw new InstanceServiceUnavailableError('delivery answer does not match its schema');
      info = parsed.data;
    } else {
      await response.body.dump();
      throw new InstanceServiceUnavailableError(`delivery lookup answered ${response.statusCode}`);
    }
    this.cache?.set(instanceId, { info });
    return info;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown) {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    try {
      return await request(new URL(path, this.options.baseUrl), {
        method,
        headers: {
          'x-pollcast-service-token': this.options.serviceToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw new InstanceServiceUnavailableError(
        `instance-service did not answer ${method} ${path.replace(/\/instances\/[^/]+/, '/instances/…')}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
