import { MockAgent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { DeliveryInfoCache } from './delivery-info.cache';

describe('DeliveryInfoCache', () => {
  let previous: Dispatcher;
  let agent: MockAgent;
  let lookups: string[];

  beforeEach(() => {
    previous = getGlobalDispatcher();
    agent = new MockAgent();
    agent.disableNetConnect();
    setGlobalDispatcher(agent);
    lookups = [];
    agent
      .get('http://instance-service.test')
      .intercept({ path: (path) => path.startsWith('/internal/instances/'), method: 'GET' })
      .reply((request) => {
        const id = decodeURIComponent(request.path.split('/')[3] ?? '');
        lookups.push(id);
        return id.startsWith('known')
          ? {
              statusCode: 200,
              data: JSON.stringify({
                instanceId: id,
                organizationId: 'org',
                elementKey: 'maximizer',
                eventsEnabled: true,
                callbackUrl: null,
                signatureKey: null,
              }),
            }
          : { statusCode: 404, data: JSON.stringify({ message: 'not found' }) };
      })
      .persist();
  });

  afterEach(async () => {
    setGlobalDispatcher(previous);
    await agent.close();
  });

  it('keeps at most cacheMaxEntries answers, 404s included, least recently used out first', async () => {
    const client = new DeliveryInfoCache({
      baseUrl: 'http://instance-service.test',
      serviceToken: 't',
      cacheTtlMs: 60_000,
      cacheMaxEntries: 3,
    });
    expect(await client.deliveryInfo('known-1')).toMatchObject({ instanceId: 'known-1' });
    for (let i = 0; i < 50; i += 1) expect(await client.deliveryInfo(`unknown-${i}`)).toBeNull();
    expect(client.cachedEntries).toBe(3);
    // The newest answers are still cached; the first was evicted and is asked again.
    const before = lookups.length;
    expect(await client.deliveryInfo('unknown-49')).toBeNull();
    expect(lookups.length).toBe(before);
    await client.deliveryInfo('known-1');
    expect(lookups.length).toBe(before + 1);
  });
});
