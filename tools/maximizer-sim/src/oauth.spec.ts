import { type MaximizerSimulator, createMaximizerSimulator } from './index';
import { SimulatorClient } from './sim-client';

interface Tokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const READ_ONE = { AbEntry: { Scope: { Fields: { Key: 1 } }, PageSize: 1 } };

describe('OAuth 2 authorization code flow', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;

  beforeEach(async () => {
    sim = await createMaximizerSimulator({ port: 0, accessTokenTtlSeconds: 120 });
    sim.clock.freeze(new Date('2026-01-15T16:54:00Z'));
    client = new SimulatorClient(sim.url);
  });
  afterEach(() => sim.close());

  function authorizeUrl(params: Record<string, string>): string {
    const query = new URLSearchParams({
      scope: 'data',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      state: 'maximizer',
      client_id: 'pollcast-dev',
      ...params,
    });
    return `${sim.url}/OAuth2/ESCDEMO/Authorize?${query.toString()}`;
  }

  async function authorizeCode(): Promise<string> {
    const response = await fetch(authorizeUrl({ auto: '1' }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('maximizer');
    return location.searchParams.get('code') ?? '';
  }

  async function exchange(code: string): Promise<{ status: number; body: Tokens }> {
    return client.token<Tokens>({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
    });
  }

  it('runs authorize (auto) → code → token → Read → refresh → expiry → 401', async () => {
    const first = await exchange(await authorizeCode());
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 120,
      refresh_token: expect.any(String),
    });
    expect((await client.octopus('Read', READ_ONE, first.body.access_token)).body).toEqual({
      Code: 0,
      AbEntry: { Data: [] },
    });

    const refreshed = await client.token<Tokens>({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);

    sim.clock.advance(119_000);
    expect((await client.octopus('Read', READ_ONE, refreshed.body.access_token)).status).toBe(200);
    sim.clock.advance(1_000);
    const expired = await client.octopus('Read', READ_ONE, refreshed.body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ Code: -1, Msg: ['Invalid token'] });
  });

  it('serves a consent page whose Allow button redirects with a code', async () => {
    const page = await fetch(authorizeUrl({}));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    const form = new URLSearchParams({
      client_id: 'pollcast-dev',
      redirect_uri: REDIRECT_URI,
      state: 'xyz',
      response_type: 'code',
      decision: 'allow',
    });
    const allowed = await fetch(`${sim.url}/OAuth2/ESCDEMO/Authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(allowed.status).toBe(302);
    const location = new URL(allowed.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect((await exchange(location.searchParams.get('code') ?? '')).status).toBe(200);
  });

  it('rejects unknown client_id and missing redirect_uri with a 400 page naming the parameter', async () => {
    const unknown = await fetch(authorizeUrl({ client_id: 'nobody', auto: '1' }), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<code>client_id</code>');
    const query = new URLSearchParams({ client_id: 'pollcast-dev', response_type: 'code', auto: '1' });
    const missing = await fetch(`${sim.url}/OAuth2/ESCDEMO/Authorize?${query.toString()}`, {
      redirect: 'manual',
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('<code>redirect_uri</code>');
  });

  it('makes codes single-use and expire after 10 minutes', async () => {
    const code = await authorizeCode();
    expect((await exchange(code)).status).toBe(200);
    const reused = await exchange(code);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant' });

    const late = await authorizeCode();
    sim.clock.advance(10 * 60 * 1000);
    expect((await exchange(late)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('checks client credentials (401 invalid_client) and supports HTTP Basic', async () => {
    const code = await authorizeCode();
    const wrong = await client.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: 'pollcast-dev',
      client_secret: 'wrong',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });

    const basic = await fetch(`${sim.url}/OAuth2/ESCDEMO/Token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('pollcast-dev:pollcast-dev-secret').toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
      }).toString(),
    });
    expect(basic.status).toBe(200);
  });

  it('keeps a rotated refresh token valid for 60 s, and honours revocation', async () => {
    const tokens = (await exchange(await authorizeCode())).body;
    const refresh = (refreshToken: string): Promise<{ status: number; body: Tokens }> =>
      client.token<Tokens>({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'pollcast-dev',
        client_secret: 'pollcast-dev-secret',
      });
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    sim.clock.advance(59_000);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    sim.clock.advance(1_000);
    expect((await refresh(tokens.refresh_token)).body).toMatchObject({ error: 'invalid_grant' });

    const revoke = await client.control('POST', '/oauth/revoke', { token: rotated.body.refresh_token });
    expect(revoke.body).toEqual({ revoked: 'refresh_token' });
    expect((await refresh(rotated.body.refresh_token)).body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'refresh token revoked',
    });
  });

  it('registers more clients through the control API', async () => {
    await client.control('POST', '/oauth/clients', { clientId: 'tenant-2', clientSecret: 's2' });
    const response = await fetch(authorizeUrl({ client_id: 'tenant-2', auto: '1' }), { redirect: 'manual' });
    const code = new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const issued = await client.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: 'tenant-2',
      client_secret: 's2',
    });
    expect(issued.status).toBe(200);
    // A code is bound to the client it was issued to.
    const other = await authorizeCode();
    const stolen = await client.token({
      grant_type: 'authorization_code',
      code: other,
      redirect_uri: REDIRECT_URI,
      client_id: 'tenant-2',
      client_secret: 's2',
    });
    expect(stolen.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects Octopus calls without a token or with an unknown one', async () => {
    expect((await client.octopus('Read', READ_ONE, '')).status).toBe(401);
    expect((await client.octopus('Read', READ_ONE, 'nope')).body).toEqual({
      Code: -1,
      Msg: ['Invalid token'],
    });
  });
});
