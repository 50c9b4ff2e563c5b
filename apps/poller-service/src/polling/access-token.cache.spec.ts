import { MockAgent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { Env } from '../env';
import { AccessTokenCache, TOKEN_CACHE_MAX_ENTRIES } from './access-token.cache';

describe('AccessTokenCache', () => {
  let previous: Dispatcher;
  let agent: MockAgent;

  beforeEach(() => {
    previous = getGlobalDispatcher();
    agent = new MockAgent();
    agent.disableNetConnect();
    setGlobalDispatcher(agent);
  });

  afterEach(async () => {
    setGlobalDispatcher(previous);
    await agent.close();
  });

  it('is bounded and reuses a token only until the expiry margin', async () => {
    let requests = 0;
    agent
      .get('http://instance-service.test')
      .intercept({ path: (path) => path.startsWith('/internal/instances/'), method: 'POST' })
      .reply((request) => {
        requests += 1;
        const id = /instances\/([^/]+)\//.exec(request.path)?.[1] ?? '';
        // Instance "short" gets a token that is already inside the 60 s reuse margin.
        const expiresAt = new Date(Date.now() + (id === 'short' ? 30_000 : 3_600_000)).toISOString();
        return { statusCode: 200, data: JSON.stringify({ accessToken: `token-${id}`, expiresAt }) };
      })
      .persist();
    const client = new AccessTokenCache({
      INSTANCE_SERVICE_URL: 'http://instance-service.test',
      POLLCAST_SERVICE_TOKEN: 't',
    } as Env);
    for (let i = 0; i < TOKEN_CACHE_MAX_ENTRIES + 5; i += 1) {
      await client.get(`i${i}`, { forceRefresh: false });
    }
    const cache = (client as unknown as { cache: { size: number } }).cache;
    expect(cache.size).toBe(TOKEN_CACHE_MAX_ENTRIES);
    const before = requests;
    expect(await client.get(`i${TOKEN_CACHE_MAX_ENTRIES + 4}`, { forceRefresh: false })).toBe(
      `token-i${TOKEN_CACHE_MAX_ENTRIES + 4}`,
    );
    expect(requests).toBe(before);
    await client.get('i0', { forceRefresh: false }); // evicted: asked again
    expect(requests).toBe(before + 1);
    await client.get('short', { forceRefresh: false });
    await client.get('short', { forceRefresh: false });
    expect(requests).toBe(before + 3);
  });
});
