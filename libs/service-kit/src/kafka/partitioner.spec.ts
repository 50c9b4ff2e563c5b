import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { javaCompatiblePartitioner, murmur2 } from './partitioner';

const partitions = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('murmur2', () => {
  // The Java client's own vectors (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('%s hashes as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });
});

describe('javaCompatiblePartitioner', () => {
  it("puts every key on the partition kafkajs' DefaultPartitioner chooses", () => {
    const ours = javaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys: Array<string | Buffer> = ['', 'a', 'ab', 'abc', 'abcd', '12:contacts:Ünïcödé ✓ 𝄞'];
    for (let i = 0; i < 3000; i += 1) {
      keys.push(`${i}:contacts:${randomBytes(i % 23).toString('base64url')}`, randomBytes(i % 41));
    }
    const differing: string[] = [];
    for (const count of [1, 2, 3, 6, 7, 12, 64, 1000]) {
      const partitionMetadata = partitions(count);
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata, message: { key, value: null } };
        if (ours(args) !== theirs(args)) differing.push(`${count}:${String(key)}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('keeps an explicit partition, and spreads keyless messages over partitions that have a leader', () => {
    const partitioner = javaCompatiblePartitioner();
    const partitionMetadata = partitions(4, [1]);
    expect(
      partitioner({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 3 } }),
    ).toBe(3);
    const chosen = new Set<number>();
    for (let i = 0; i < 30; i += 1) {
      chosen.add(partitioner({ topic: 't', partitionMetadata, message: { key: null, value: null } }));
    }
    expect([...chosen].sort()).toEqual([0, 2, 3]);
  });
});
