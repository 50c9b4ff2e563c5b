import type { NextFunction, Request, Response } from 'express';
import { maskQuerySecrets } from './mask-query-secrets';

function run(url: string): string {
  const request = { url, originalUrl: url } as Request;
  const next: NextFunction = jest.fn();
  maskQuerySecrets(request, {} as Response, next);
  expect(next).toHaveBeenCalled();
  return request.url;
}

describe('maskQuerySecrets', () => {
  it('masks secret-named query values and keeps the rest', () => {
    expect(
      run(
        '/elements/api-v2/elements/maximizer/oauth/url?apiKey=k&apiSecret=s3cr3t&callbackUrl=https%3A%2F%2Fx',
      ),
    ).toBe(
      '/elements/api-v2/elements/maximizer/oauth/url?apiKey=k&apiSecret=********&callbackUrl=https%3A%2F%2Fx',
    );
    expect(run('/x?oauth.api.secret=a&access_token=b&password=c&name=d')).toBe(
      '/x?oauth.api.secret=********&access_token=********&password=********&name=d',
    );
  });

  it('leaves URLs without secrets untouched', () => {
    expect(run('/elements/api-v2/instances?tags[]=a')).toBe('/elements/api-v2/instances?tags[]=a');
    expect(run('/health/ready')).toBe('/health/ready');
    expect(run('/x?%E0%A4%A=1&flag')).toBe('/x?%E0%A4%A=1&flag');
  });
});
