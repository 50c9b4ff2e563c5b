import type { Env } from '../env';
import type { OutboxRelay } from '../outbox/outbox-relay.publisher';
import type { InstanceReadCache } from './instance-read-cache';
import { InstanceRecords } from './instance-records';
import type { InstanceSecrets } from './instance-secrets';
import type { ProviderAuthorization } from './provider-authorization';

describe('InstanceRecords.afterCommit', () => {
  it("drops this replica's cached row at once (its next read must not wait for NOTIFY) and wakes the relay", () => {
    const cache = { forget: jest.fn() };
    const outbox = { wake: jest.fn() };
    const records = new InstanceRecords(
      {} as InstanceSecrets,
      {} as ProviderAuthorization,
      outbox as unknown as OutboxRelay,
      cache as unknown as InstanceReadCache,
      { POLLCAST_TOPIC_PREFIX: '' } as Env,
    );
    records.afterCommit('42');
    expect(cache.forget).toHaveBeenCalledWith('42');
    expect(outbox.wake).toHaveBeenCalledTimes(1);
  });
});
