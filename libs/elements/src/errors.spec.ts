import { callWithTokenRefresh, kindForStatus, parseRetryAfter, ProviderError, redactSecrets } from './errors';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unparseable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('kindForStatus', () => {
  it.each([
    [401, 'unauthorized'],
    [429, 'rate_limited'],
    [500, 'retryable'],
    [503, 'retryable'],
    [408, 'retryable'],
    [400, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
  ])('%i → %s', (status, kind) => expect(kindForStatus(status)).toBe(kind));
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(
      redactSecrets('token abcd1234 and abcd1234; secret s3cr3t', ['abcd1234', 's3cr3t', undefined]),
    ).toBe('token [REDACTED] and [REDACTED]; secret [REDACTED]');
  });
});

describe('callWithTokenRefresh', () => {
  const unauthorized = new ProviderError('401', {
    kind: 'unauthorized',
    elementKey: 'x',
    operation: 'read',
    status: 401,
  });

  it('uses the current token when it works', async () => {
    const requests: unknown[] = [];
    const result = await callWithTokenRefresh(
      async (request) => {
        requests.push(request);
        return 'current';
      },
      async (token) => `ok with ${token}`,
    );
    expect(result).toBe('ok with current');
    expect(requests).toEqual([{ forceRefresh: false }]);
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    const tokensUsed: string[] = [];
    const requests: unknown[] = [];
    const result = await callWithTokenRefresh(
      async (request) => {
        requests.push(request);
        return request.forceRefresh ? 'fresh' : 'stale';
      },
      async (token) => {
        tokensUsed.push(token);
        if (token === 'stale') throw unauthorized;
        return 'done';
      },
    );
    expect(result).toBe('done');
    expect(tokensUsed).toEqual(['stale', 'fresh']);
    expect(requests).toEqual([{ forceRefresh: false }, { forceRefresh: true, rejectedToken: 'stale' }]);
  });

  it('does not loop: a second 401 is thrown', async () => {
    let calls = 0;
    await expect(
      callWithTokenRefresh(
        async () => 'any',
        async () => {
          calls += 1;
          throw unauthorized;
        },
      ),
    ).rejects.toBe(unauthorized);
    expect(calls).toBe(2);
  });

  it('does not refresh for other errors', async () => {
    const rateLimited = new ProviderError('429', {
      kind: 'rate_limited',
      elementKey: 'x',
      operation: 'read',
    });
    const provider = jest.fn(async () => 'token');
    await expect(
      callWithTokenRefresh(provider, async () => {
        throw rateLimited;
      }),
    ).rejects.toBe(rateLimited);
    expect(provider).toHaveBeenCalledTimes(1);
  });
});
