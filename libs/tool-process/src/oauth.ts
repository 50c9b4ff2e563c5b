import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock } from './clock';

/** RFC 6749 token response. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
}

/** An OAuth outcome as HTTP: status + JSON body. */
export interface OAuthReply {
  readonly status: number;
  readonly body: TokenResponse | { error: string; error_description?: string };
}

interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly expiresAtMs: number;
  used: boolean;
}

interface AccessToken {
  readonly clientId: string;
  readonly expiresAtMs: number;
  revoked: boolean;
}

interface RefreshToken {
  readonly clientId: string;
  /** Set when the token is rotated: it stays usable until then so concurrent refreshers do not fail. */
  validUntilMs: number | null;
  revoked: boolean;
}

export type AuthorizeCheck = { ok: true } | { ok: false; parameter: string; message: string };

const CODE_TTL_MS = 10 * 60 * 1000;
const ROTATION_GRACE_MS = 60 * 1000;

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Maximizer's OAuth 2 authorization server (authorization code + refresh token grants). */
export class OAuthServer {
  private readonly clients = new Map<string, string>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();

  constructor(
    private readonly clock: SimClock,
    private readonly defaultClient: { clientId: string; clientSecret: string },
    readonly accessTokenTtlSeconds: number,
  ) {
    this.registerClient(defaultClient.clientId, defaultClient.clientSecret);
  }

  registerClient(clientId: string, clientSecret: string): void {
    this.clients.set(clientId, clientSecret);
  }

  clientIds(): string[] {
    return [...this.clients.keys()];
  }

  checkAuthorize(params: URLSearchParams): AuthorizeCheck {
    const clientId = params.get('client_id');
    if (!clientId) return { ok: false, parameter: 'client_id', message: 'client_id is missing' };
    if (!this.clients.has(clientId))
      return { ok: false, parameter: 'client_id', message: `unknown client_id '${clientId}'` };
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return { ok: false, parameter: 'redirect_uri', message: 'redirect_uri is missing' };
    if (!URL.canParse(redirectUri)) {
      return { ok: false, parameter: 'redirect_uri', message: 'redirect_uri is not an absolute URL' };
    }
    const responseType = params.get('response_type');
    if (responseType !== null && responseType !== 'code') {
      return { ok: false, parameter: 'response_type', message: 'response_type must be code' };
    }
    return { ok: true };
  }

  /** Issues a single-use code and returns where to redirect the browser. Call checkAuthorize first. */
  approve(params: URLSearchParams): string {
    const code = newToken();
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    this.codes.set(code, {
      clientId,
      redirectUri,
      expiresAtMs: this.clock.nowMs() + CODE_TTL_MS,
      used: false,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return target.toString();
  }

  deny(params: URLSearchParams): string {
    const target = new URL(params.get('redirect_uri') ?? '');
    target.searchParams.set('error', 'access_denied');
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return target.toString();
  }

  /** POST /OAuth2/{alias}/Token. Client credentials come from the form or HTTP Basic. */
  token(form: URLSearchParams, authorizationHeader: string | undefined): OAuthReply {
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    if (authorizationHeader?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorizationHeader.slice(6), 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      if (separator > 0) {
        clientId = decodeURIComponent(decoded.slice(0, separator));
        clientSecret = decodeURIComponent(decoded.slice(separator + 1));
      }
    }
    const expectedSecret = clientId === null ? undefined : this.clients.get(clientId);
    if (
      clientId === null ||
      clientSecret === null ||
      expectedSecret === undefined ||
      !sameSecret(clientSecret, expectedSecret)
    ) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'unknown client or wrong client_secret' },
      };
    }
    const grantType = form.get('grant_type');
    const now = this.clock.nowMs();
    if (grantType === 'authorization_code') {
      const code = form.get('code');
      if (!code) return invalidRequest('code is missing');
      const redirectUri = form.get('redirect_uri');
      if (!redirectUri) return invalidRequest('redirect_uri is missing');
      const issued = this.codes.get(code);
      if (!issued) return invalidGrant('unknown authorization code');
      if (issued.used) return invalidGrant('authorization code already used');
      if (issued.expiresAtMs <= now) return invalidGrant('authorization code expired');
      if (issued.clientId !== clientId)
        return invalidGrant('authorization code was issued to another client');
      if (issued.redirectUri !== redirectUri)
        return invalidGrant('redirect_uri does not match the authorization request');
      issued.used = true;
      return { status: 200, body: this.issueTokens(clientId) };
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (!refreshToken) return invalidRequest('refresh_token is missing');
      const stored = this.refreshTokens.get(refreshToken);
      if (!stored) return invalidGrant('unknown refresh token');
      if (stored.revoked) return invalidGrant('refresh token revoked');
      if (stored.validUntilMs !== null && stored.validUntilMs <= now)
        return invalidGrant('refresh token was rotated');
      if (stored.clientId !== clientId) return invalidGrant('refresh token was issued to another client');
      stored.validUntilMs ??= now + ROTATION_GRACE_MS;
      return { status: 200, body: this.issueTokens(clientId) };
    }
    return {
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be authorization_code or refresh_token',
      },
    };
  }

  /** Tokens without the browser dance (control API / tests). */
  issueTokens(clientId: string, ttlSeconds = this.accessTokenTtlSeconds): TokenResponse {
    const accessToken = newToken();
    const refreshToken = newToken();
    this.accessTokens.set(accessToken, {
      clientId,
      expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, { clientId, validUntilMs: null, revoked: false });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      refresh_token: refreshToken,
    };
  }

  isValidAccessToken(token: string): boolean {
    const stored = this.accessTokens.get(token);
    return stored !== undefined && !stored.revoked && stored.expiresAtMs > this.clock.nowMs();
  }

  /** Revokes an access or refresh token; returns what it was, or null when unknown. */
  revoke(token: string): 'access_token' | 'refresh_token' | null {
    const access = this.accessTokens.get(token);
    if (access) {
      access.revoked = true;
      return 'access_token';
    }
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      refresh.revoked = true;
      return 'refresh_token';
    }
    return null;
  }

  /** Revokes every token of a client (or of all clients); returns how many. */
  revokeAll(clientId?: string): number {
    let revoked = 0;
    for (const token of [...this.accessTokens.values(), ...this.refreshTokens.values()]) {
      if (!token.revoked && (clientId === undefined || token.clientId === clientId)) {
        token.revoked = true;
        revoked += 1;
      }
    }
    return revoked;
  }

  /** Makes every current access token invalid as if it had expired (refresh tokens keep working). */
  expireAccessTokens(): number {
    const count = this.accessTokens.size;
    this.accessTokens.clear();
    return count;
  }

  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.clients.clear();
    this.registerClient(this.defaultClient.clientId, this.defaultClient.clientSecret);
  }
}

function invalidGrant(description: string): OAuthReply {
  return { status: 400, body: { error: 'invalid_grant', error_description: description } };
}

function invalidRequest(description: string): OAuthReply {
  return { status: 400, body: { error: 'invalid_request', error_description: description } };
}
