import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ResourcePoller } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';

/** Object id → fingerprint of the record last published for it (and acknowledged by Kafka). */
type Fingerprints = Map<string, string>;

function fingerprintOf(record: unknown): string {
  return hash('sha1', JSON.stringify(record), 'base64');
}

/**
 * What this replica's last poll of each (instance, resource) published, so the next poll does not publish
 * it again. Every window re-reads the end of the one before (`POLLER_OVERLAP_SECONDS`, and the poll
 * delay), so with a short interval most records are read two or three times: published each time, each
 * copy crossed the raw topic and cost the normalizer a state lookup, only to be suppressed as a duplicate.
 *
 * Only an optimisation — the normalizer's dedupe stays the authority: a record is left out only when it is
 * byte for byte the one this replica already saw Kafka acknowledge, for the same resource configuration.
 * A replica that has no memory of the unit (a restart, a lease moved to it, a unit evicted) publishes
 * everything, as before. Memory is bounded: `maxRecords` fingerprints over all units (least recently
 * polled units go first); 0 turns it off.
 */
export class UnchangedRecords {
  private readonly units: LRUCache<string, Fingerprints> | undefined;

  constructor(private readonly maxRecords: number) {
    this.units =
      maxRecords > 0
        ? new LRUCache<string, Fingerprints>({
            maxSize: maxRecords,
            sizeCalculation: (fingerprints) => Math.max(1, fingerprints.size),
          })
        : undefined;
  }

  /** The memory one poll reads and adds to; `finish` stores it back. */
  begin(poll: { instanceId: string; resource: string; config: ResourcePoller }): PollMemory {
    // The configuration decides what the normalizer makes of a record (dates, the deletion flag), so a
    // changed one starts a new memory.
    const unit = `${poll.instanceId}\u0000${poll.resource}\u0000${fingerprintOf(poll.config)}`;
    return new PollMemory(this.units, unit, this.units?.get(unit), this.maxRecords);
  }
}

/** One poll's view: what the previous poll published, and what this one has published or re-read. */
export class PollMemory {
  private readonly current: Fingerprints = new Map();

  constructor(
    private readonly units: LRUCache<string, Fingerprints> | undefined,
    private readonly unit: string,
    private readonly previous: Fingerprints | undefined,
    /** No more than the whole memory holds: a window of millions of records must not grow a map the
     * cache would refuse anyway (those past it are simply published next time). */
    private readonly maxRecords: number,
  ) {}

  /**
   * Splits a page's messages (with their object ids, in order) into those to publish and the number left
   * out as already published. `remember` must follow once the publish is acknowledged.
   */
  select(
    messages: ReadonlyArray<OutgoingMessage>,
    objectIds: ReadonlyArray<string>,
  ): { publish: OutgoingMessage[]; fingerprints: Array<[string, string]>; unchanged: number } {
    if (this.units === undefined) return { publish: [...messages], fingerprints: [], unchanged: 0 };
    const publish: OutgoingMessage[] = [];
    const fingerprints: Array<[string, string]> = [];
    let unchanged = 0;
    messages.forEach((message, index) => {
      const objectId = objectIds[index];
      const record = (message.value as { record?: unknown } | null)?.record;
      if (objectId === undefined || record === undefined) {
        publish.push(message);
        return;
      }
      const fingerprint = fingerprintOf(record);
      fingerprints.push([objectId, fingerprint]);
      if (this.previous?.get(objectId) === fingerprint || this.current.get(objectId) === fingerprint) {
        unchanged += 1;
      } else {
        publish.push(message);
      }
    });
    return { publish, fingerprints, unchanged };
  }

  /** After Kafka acknowledged the page: its records (published or left out) are known published. */
  remember(fingerprints: ReadonlyArray<[string, string]>): void {
    for (const [objectId, fingerprint] of fingerprints) {
      if (this.current.size >= this.maxRecords && !this.current.has(objectId)) return;
      this.current.set(objectId, fingerprint);
    }
  }

  /**
   * Stores the memory for the unit's next poll. After a complete window it is what this window read:
   * the next window starts inside it, and records it did not read again are behind every later window.
   * After a failed or abandoned one (the next window starts where this one did) both are kept.
   */
  finish(completed: boolean): void {
    if (this.units === undefined) return;
    const next = completed ? this.current : new Map([...(this.previous ?? []), ...this.current]);
    if (next.size === 0) this.units.delete(this.unit);
    else this.units.set(this.unit, next);
  }
}
