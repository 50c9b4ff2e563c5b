// The Maximizer element: OAuth 2 (authorization code) against /OAuth2/{alias}/…, and hub requests
// translated into Octopus Reads (planned in ./plan). Wire details: docs/maximizer-wire.md.
import { OutboundRefusedError } from '@pollcast/outbound-guard';
import type { ElementOutboundOptions } from '../catalog';
import { ElementRequestError } from '../errors';
import { DEFAULT_HTTP_TIMEOUTS, HttpTransport, type HttpTimeouts } from '../http';
import type {
  ElementAdapter,
  ElementConfiguration,
  HubRequest,
  HubResponse,
  OAuthTokens,
  ProviderTarget,
} from '../types';
import {
  MAXIMIZER_DEFAULT_ALIAS,
  MAXIMIZER_DEFAULT_DATACENTER,
  MAXIMIZER_DEFINITION,
  MAXIMIZER_HUB,
  MAXIMIZER_KEY,
  MAXIMIZER_PROVIDER_HOSTS,
} from './definition';
import { interpretReadResponse, interpretTokenResponse } from './octopus';
import {
  planFirstPage,
  planMaximizerHubRequest,
  planMaximizerIdListing,
  requestError,
  resolveResource,
  withPageToken,
} from './plan';

export {
  MAXIMIZER_DEFAULT_PAGE_SIZE,
  MAXIMIZER_MAX_PAGE_SIZE,
  planMaximizerHubRequest,
  planMaximizerIdListing,
} from './plan';

export interface MaximizerAdapterOptions {
  /** Defaults: connect 5 s, total 30 s. */
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Clock for token expiry and Retry-After dates (tests). */
  readonly now?: () => number;
  /** Operator allow-list and name resolution for the outbound guard. */
  readonly outbound?: ElementOutboundOptions;
}

function configString(configuration: ElementConfiguration, key: string): string | undefined {
  const value = configuration[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ElementRequestError(`${MAXIMIZER_KEY}: configuration '${key}' must be a string`, {
    elementKey: MAXIMIZER_KEY,
    operation: 'configuration',
    configKey: key,
  });
}

function requiredConfig(configuration: ElementConfiguration, key: string): string {
  const value = configString(configuration, key);
  if (value === undefined) {
    throw new ElementRequestError(`${MAXIMIZER_KEY}: configuration '${key}' is required`, {
      elementKey: MAXIMIZER_KEY,
      operation: 'configuration',
      configKey: key,
    });
  }
  return value;
}

/** `maximizer.url` if set, else https://{maximizer.datacenter}.maximizercrmlive.com. No trailing slash. */
export function maximizerBaseUrl(configuration: ElementConfiguration): string {
  const override = configString(configuration, 'maximizer.url');
  if (override !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(override);
    } catch {
      throw new ElementRequestError(`${MAXIMIZER_KEY}: configuration 'maximizer.url' is not a URL`, {
        elementKey: MAXIMIZER_KEY,
        operation: 'configuration',
        configKey: 'maximizer.url',
      });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ElementRequestError(`${MAXIMIZER_KEY}: configuration 'maximizer.url' must be http(s)`, {
        elementKey: MAXIMIZER_KEY,
        operation: 'configuration',
        configKey: 'maximizer.url',
      });
    }
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  }
  const datacenter = configString(configuration, 'maximizer.datacenter') ?? MAXIMIZER_DEFAULT_DATACENTER;
  if (!/^[A-Za-z0-9-]+$/.test(datacenter)) {
    throw new ElementRequestError(
      `${MAXIMIZER_KEY}: configuration 'maximizer.datacenter' must be a host label`,
      {
        elementKey: MAXIMIZER_KEY,
        operation: 'configuration',
        configKey: 'maximizer.datacenter',
      },
    );
  }
  return `https://${datacenter}.maximizercrmlive.com`;
}

function oauthPath(configuration: ElementConfiguration, endpoint: 'Authorize' | 'Token'): string {
  const alias = configString(configuration, 'maximizer.alias') ?? MAXIMIZER_DEFAULT_ALIAS;
  return `/OAuth2/${encodeURIComponent(alias)}/${endpoint}`;
}

export function maximizerAuthorizeUrl(
  configuration: ElementConfiguration,
  state: string = MAXIMIZER_KEY,
): string {
  const query = [
    ['scope', 'data'],
    ['response_type', 'code'],
    ['redirect_uri', requiredConfig(configuration, 'oauth.callback.url')],
    ['state', state],
    ['client_id', requiredConfig(configuration, 'oauth.api.key')],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value ?? '')}`)
    .join('&');
  return `${maximizerBaseUrl(configuration)}${oauthPath(configuration, 'Authorize')}?${query}`;
}

/** The configuration key that decides the base URL: `maximizer.url` when set, else the data center. */
function baseUrlKey(configuration: ElementConfiguration): string {
  return configString(configuration, 'maximizer.url') === undefined
    ? 'maximizer.datacenter'
    : 'maximizer.url';
}

export function createMaximizerAdapter(options: MaximizerAdapterOptions = {}): ElementAdapter {
  const transport = new HttpTransport(
    { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts },
    {
      target: 'provider URL',
      allowedHosts: [...MAXIMIZER_PROVIDER_HOSTS, ...(options.outbound?.allowedHosts ?? [])],
      ...(options.outbound?.resolve === undefined ? {} : { resolve: options.outbound.resolve }),
    },
  );
  const now = options.now ?? Date.now;

  /** The base URL (OAuth token endpoint and Octopus API live under it), checked by the outbound guard. */
  function providerTargets(
    configuration: ElementConfiguration,
    options: { check?: boolean } = {},
  ): ProviderTarget[] {
    const configKey = baseUrlKey(configuration);
    const url = maximizerBaseUrl(configuration);
    if (options.check === false) return [{ configKey, url }];
    const tokenUrl = `${url}${oauthPath(configuration, 'Token')}`;
    // The URL as given too: the base URL is rebuilt from its origin, which drops `user:pass@`.
    const given = configString(configuration, 'maximizer.url');
    for (const target of [...(given === undefined ? [] : [given]), url, tokenUrl]) {
      try {
        transport.policy.check(target);
      } catch (error) {
        if (!(error instanceof OutboundRefusedError)) throw error;
        throw new ElementRequestError(`${MAXIMIZER_KEY}: configuration '${configKey}': ${error.message}`, {
          elementKey: MAXIMIZER_KEY,
          operation: 'configuration',
          configKey,
        });
      }
    }
    return [{ configKey, url }];
  }

  function checkedBaseUrl(configuration: ElementConfiguration): { url: string; configKey: string } {
    const [target] = providerTargets(configuration);
    if (target === undefined) throw new Error('maximizer: no provider target');
    return target;
  }

  async function tokenRequest(
    configuration: ElementConfiguration,
    form: Record<string, string>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ accessToken: string; refreshToken: string | undefined; expiresAt: Date }> {
    const clientSecret = requiredConfig(configuration, 'oauth.api.secret');
    const body = new URLSearchParams({
      ...form,
      client_id: requiredConfig(configuration, 'oauth.api.key'),
      client_secret: clientSecret,
    }).toString();
    const secrets = [clientSecret, form['code'], form['refresh_token']];
    const base = checkedBaseUrl(configuration);
    const response = await transport.post(
      base.url,
      oauthPath(configuration, 'Token'),
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      {
        elementKey: MAXIMIZER_KEY,
        operation,
        secrets,
        configKey: base.configKey,
        ...(signal === undefined ? {} : { signal }),
      },
    );
    const receivedAt = now();
    const tokens = interpretTokenResponse(response, { operation, secrets, nowMs: receivedAt });
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(receivedAt + tokens.expiresInSeconds * 1000),
    };
  }

  return {
    ...MAXIMIZER_DEFINITION,

    authorizeUrl: maximizerAuthorizeUrl,

    async exchangeCode(configuration, code, signal): Promise<OAuthTokens> {
      const tokens = await tokenRequest(
        configuration,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: requiredConfig(configuration, 'oauth.callback.url'),
        },
        'oauth/token (authorization_code)',
        signal,
      );
      if (tokens.refreshToken === undefined) {
        throw requestError(
          'the token endpoint issued no refresh_token; the instance could not stay authorized',
        );
      }
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
      };
    },

    async refreshTokens(configuration, refreshToken, signal): Promise<OAuthTokens> {
      const tokens = await tokenRequest(
        configuration,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        'oauth/token (refresh_token)',
        signal,
      );
      // RFC 6749 §6: a server that does not rotate keeps the old refresh token valid.
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? refreshToken,
        expiresAt: tokens.expiresAt,
      };
    },

    providerTargets,

    planHubRequest: planMaximizerHubRequest,
    planIdListing: planMaximizerIdListing,

    async executeHubRequest(request: HubRequest): Promise<HubResponse> {
      const plan = withPageToken(
        request.plan ?? planFirstPage(request.url, request.pageSize),
        request.pageToken,
      );
      const resource = resolveResource(MAXIMIZER_HUB, plan.resource);
      const operation = `octopus/Read (${plan.resource})`;
      const secrets = [request.accessToken];
      const base = checkedBaseUrl(request.configuration);
      const response = await transport.post(
        base.url,
        plan.path,
        {
          authorization: `Bearer ${request.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        JSON.stringify(plan.body),
        {
          elementKey: MAXIMIZER_KEY,
          operation,
          secrets,
          configKey: base.configKey,
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      );
      const page = interpretReadResponse(response, resource.entity, { operation, secrets, nowMs: now() });
      return {
        records: page.records,
        ...(page.pageKey === undefined ? {} : { nextPageToken: page.pageKey }),
        warnings: plan.warnings,
      };
    },

    close: () => transport.close(),
  };
}
