import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  metricFactory,
  MetricsRegistry,
  PostgresNotificationListener,
  ROOT_LOGGER,
} from '@pollcast/service-kit';
import { LRUCache } from 'lru-cache';
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { Authenticate } from '../tenants/authenticate.use-case';
import type { InstanceRecord } from './instance.store';

/** The channel the instance tables' triggers NOTIFY on (migration InstanceChangeNotify1796600000000). */
export const INSTANCE_CHANGES_CHANNEL = 'pollcast_instances_changed';
/** The schema instance-service keeps its tables in (the payload names it). */
const SCHEMA = 'instance';

export type ReadCacheResult = 'hit' | 'miss' | 'bypass';

/** What a change notification says: forget one row (and whether it was deleted), all rows, or none. */
export type AnnouncedChange =
  { kind: 'row'; id: string; deleted: boolean } | { kind: 'all' } | { kind: 'other' };

/** Reads a trigger's payload (`<schema>:<op>:<id>` or `<schema>:*`); anything else means "forget all". */
export function parseChange(payload: string, schema: string): AnnouncedChange {
  const match = /^([^:]{1,63}):(?:([IUD]):([1-9]\d{0,18})|\*)$/.exec(payload);
  if (match === null) return { kind: 'all' };
  const [, announcedSchema, operation, id] = match;
  if (announcedSchema !== schema) return { kind: 'other' };
  return id === undefined ? { kind: 'all' } : { kind: 'row', id, deleted: operation === 'D' };
}

/**
 * Roughly what a row holds in memory: its ciphertexts (the whole configuration, encrypted) and the masked
 * copy of the configuration, which is about as large, plus the small fields. Cheap, and never below 1.
 */
export function approximateBytes(record: InstanceRecord): number {
  const text = record.configCiphertext.length + record.tokenCiphertext.length + record.name.length;
  return 2 * (2 * text + 256) + record.tags.reduce((sum, tag) => sum + 2 * tag.length + 32, 0);
}

/**
 * The rules of the read cache, without the session that feeds it: usable only while notifications are
 * known to arrive, emptied whenever they may have been missed, and never filled with a row read while a
 * change was announced (that row may predate the change).
 */
export class InstanceRowCache {
  private readonly rows: LRUCache<string, InstanceRecord>;
  /** Bumped by every change announced and every lost session: a read that spans a bump is not kept. */
  private generation = 0;
  private usable = false;

  constructor(max: number, ttlMs: number, maxBytes = 64 * 1024 * 1024) {
    // Rows are tenant-sized (a configuration may be ~100 KB): bounded in bytes as well as in rows.
    this.rows = new LRUCache({ max, ttl: ttlMs, maxSize: maxBytes, sizeCalculation: approximateBytes });
  }

  async read(
    id: string,
    load: () => Promise<InstanceRecord | undefined>,
  ): Promise<{ record: InstanceRecord | undefined; result: ReadCacheResult }> {
    if (!this.usable) return { record: await load(), result: 'bypass' };
    const cached = this.rows.get(id);
    if (cached !== undefined) return { record: cached, result: 'hit' };
    const before = this.generation;
    const record = await load();
    if (record !== undefined && this.usable && this.generation === before) this.rows.set(id, record);
    return { record, result: 'miss' };
  }

  get inUse(): boolean {
    return this.usable;
  }

  /** Notifications arrive from now on (true), or may be missed from now on (false). */
  reset(usable: boolean): void {
    this.generation += 1;
    this.rows.clear();
    this.usable = usable;
  }

  forget(change: AnnouncedChange): void {
    if (change.kind === 'other') return;
    this.generation += 1;
    if (change.kind === 'all') this.rows.clear();
    else this.rows.delete(change.id);
  }
}

/**
 * Instance rows as read by the public GETs, kept in memory so a read costs no PostgreSQL round trip.
 * Correct across replicas because every change of a row is announced by PostgreSQL itself (a trigger's
 * NOTIFY, delivered at commit) and each replica LISTENs: the entry is dropped when the notification
 * arrives, about a millisecond after the writer's commit. While the listening session is down the cache
 * is bypassed and emptied, as notifications may have been missed. The TTL only bounds what nothing else
 * could catch.
 *
 * It holds rows with their ciphertexts, not responses: the token is still decrypted per read, so no
 * plaintext secret lives here longer than one request.
 */
@Injectable()
export class InstanceReadCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly cache: InstanceRowCache | undefined;
  private readonly listener: PostgresNotificationListener | undefined;
  private readonly reads: Counter<'result'>;

  constructor(
    @Inject(ENV) env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
    @Inject(Authenticate) private readonly authenticate: Authenticate,
  ) {
    const metric = metricFactory(metrics);
    this.reads = metric.counter(
      'pollcast_instance_read_cache_total',
      'Instance reads of the public API by how the read cache served them',
      ['result'],
    );
    const cacheRef = () => this.cache;
    metric.gauge(
      'pollcast_instance_read_cache_in_use',
      '1 while the read cache serves reads (its change notifications arrive), 0 while reads bypass it',
      [],
      function () {
        this.set(cacheRef()?.inUse === true ? 1 : 0);
      },
    );
    if (env.INSTANCE_READ_CACHE_MAX === 0) return;
    const cache = new InstanceRowCache(
      env.INSTANCE_READ_CACHE_MAX,
      env.INSTANCE_READ_CACHE_TTL_MS,
      env.INSTANCE_READ_CACHE_MAX_MB * 1024 * 1024,
    );
    this.cache = cache;
    this.listener = new PostgresNotificationListener({
      url: env.DATABASE_URL,
      channel: INSTANCE_CHANGES_CHANNEL,
      applicationName: 'pollcast-instance-service-listen',
      logger,
      onNotification: (payload) => this.changed(cache, payload),
      onListening: () => cache.reset(true),
      onLost: () => cache.reset(false),
    });
  }

  onApplicationBootstrap(): void {
    this.listener?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  /** The row of `id` (any organization's: the caller scopes it), from memory when it can be trusted. */
  async read(
    id: string,
    load: () => Promise<InstanceRecord | undefined>,
  ): Promise<InstanceRecord | undefined> {
    if (this.cache === undefined) {
      this.reads.inc({ result: 'bypass' });
      return load();
    }
    const { record, result } = await this.cache.read(id, load);
    this.reads.inc({ result });
    return record;
  }

  /** This replica changed the row: drop it without waiting for the notification. */
  forget(id: string): void {
    this.cache?.forget({ kind: 'row', id, deleted: false });
  }

  private changed(cache: InstanceRowCache, payload: string): void {
    const change = parseChange(payload, SCHEMA);
    if (change.kind === 'all' && !payload.endsWith(':*'))
      this.logger.warn({ payload: payload.slice(0, 100) }, 'instance read cache: unexpected notification');
    cache.forget(change);
    // A deleted instance's Element token must stop working on every replica, not only the deleting one.
    if (change.kind === 'row' && change.deleted) this.authenticate.forgetInstance(change.id);
  }
}
