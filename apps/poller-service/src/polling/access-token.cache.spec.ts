import type { Env } from '../env';
import { AccessTokenClient, TOKEN_CACHE_MAX_ENTRIES } from './access-token.client';

describe('AccessTokenClient cache', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is bounded and reuses a token only until the expiry margin', async () => {
    let requests = 0;
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      requests += 1;
      const id =
        /instances\/([^/]+)\//.exec(input instanceof Request ? input.url : input.toString())?.[1] ?? '';
      // Instance "short" gets a token that is already inside the 60 s reuse margin.
      const expiresAt = new Date(Date.now() + (id === 'short' ? 30_000 : 3_600_000)).toISOString();
      return new Response(JSON.stringify({ accessToken: `token-${id}`, expiresAt }), { status: 200 });
    });
    const client = new AccessTokenClient({
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
