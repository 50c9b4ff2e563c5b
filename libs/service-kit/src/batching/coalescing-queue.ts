export interface CoalescingQueueOptions<T> {
  /** Runs one batch; every item's promise settles with it. */
  run(items: T[]): Promise<void>;
  /** Batches in flight at once (1 = the next batch waits for the previous). */
  maxConcurrent: number;
  /** Upper bound on one batch, in units of `sizeOf`. A single item larger than this still goes alone. */
  maxBatchSize: number;
  /** Size of one item; 1 by default (the bound is then a count of items). */
  sizeOf?: (item: T) => number;
}

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for round trips: while a batch is in flight, new items wait and then leave together
 * in the next one. Idle, an item leaves at once (no added latency); under load each round trip
 * carries everything that queued meanwhile. A failed batch fails every item it carried.
 */
export class CoalescingQueue<T> {
  private readonly queue: Pending<T>[] = [];
  private inFlight = 0;
  private readonly sizeOf: (item: T) => number;

  constructor(private readonly options: CoalescingQueueOptions<T>) {
    this.sizeOf = options.sizeOf ?? (() => 1);
  }

  /** Resolves when the batch that carried the item has completed. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a batch, not counting those in flight. */
  get waiting(): number {
    return this.queue.length;
  }

  private finishBatch(): void {
    this.inFlight -= 1;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.options.maxConcurrent && this.queue.length > 0) {
      const batch: Pending<T>[] = [];
      let size = 0;
      for (;;) {
        const next = this.queue[0];
        if (next === undefined) break;
        const nextSize = this.sizeOf(next.item);
        if (batch.length > 0 && size + nextSize > this.options.maxBatchSize) break;
        this.queue.shift();
        batch.push(next);
        size += nextSize;
      }
      this.inFlight += 1;
      let ran: Promise<void>;
      try {
        ran = this.options.run(batch.map((pending) => pending.item));
      } catch (error) {
        // A run that throws before returning its promise fails its batch like one that rejects.
        ran = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      // The next batch leaves before this one's callers resume, so they find it already on its way.
      void ran.then(
        () => {
          this.finishBatch();
          batch.forEach((pending) => pending.resolve());
        },
        (error: unknown) => {
          this.finishBatch();
          batch.forEach((pending) => pending.reject(error));
        },
      );
    }
  }
}
