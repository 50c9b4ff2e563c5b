import { CoalescingQueue } from './coalescing-queue';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CoalescingQueue', () => {
  it('sends an item at once when idle and batches what queues while a batch is in flight', async () => {
    const batches: number[][] = [];
    const gates: ReturnType<typeof deferred>[] = [];
    const queue = new CoalescingQueue<number>({
      maxConcurrent: 1,
      maxBatchSize: 100,
      run: (items) => {
        batches.push(items);
        const gate = deferred();
        gates.push(gate);
        return gate.promise;
      },
    });
    const first = queue.submit(1);
    const rest = [2, 3, 4].map((n) => queue.submit(n));
    expect(batches).toEqual([[1]]);
    expect(queue.waiting).toBe(3);
    gates[0]?.resolve();
    await first;
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    await Promise.all(rest);
    expect(queue.waiting).toBe(0);
  });

  it('splits by size and keeps an oversized item whole', async () => {
    const batches: string[][] = [];
    const queue = new CoalescingQueue<string>({
      maxConcurrent: 1,
      maxBatchSize: 5,
      sizeOf: (item) => item.length,
      run: (items) => {
        batches.push(items);
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    await Promise.all(['a', 'bb', 'ccc', 'dddddddd', 'e', 'f'].map((item) => queue.submit(item)));
    expect(batches).toEqual([['a'], ['bb', 'ccc'], ['dddddddd'], ['e', 'f']]);
  });

  it('fails every item of a failed batch and carries on with the next', async () => {
    let calls = 0;
    const queue = new CoalescingQueue<number>({
      maxConcurrent: 1,
      maxBatchSize: 10,
      run: () => {
        calls += 1;
        if (calls === 2) throw new Error('database down');
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    const first = queue.submit(1);
    const doomed = [queue.submit(2), queue.submit(3)];
    await first;
    await expect(doomed[0]).rejects.toThrow('database down');
    await expect(doomed[1]).rejects.toThrow('database down');
    await expect(queue.submit(4)).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('runs up to maxConcurrent batches at once', () => {
    let running = 0;
    let peak = 0;
    const queue = new CoalescingQueue<number>({
      maxConcurrent: 3,
      maxBatchSize: 1,
      run: () => {
        running += 1;
        peak = Math.max(peak, running);
        return new Promise<void>(() => undefined);
      },
    });
    for (let n = 0; n < 10; n += 1) void queue.submit(n);
    expect(peak).toBe(3);
    expect(queue.waiting).toBe(7);
  });
});
