// The Maximizer element: OAuth 2 (authorization code) against /OAuth2/{alias}/…, and hub requests
// translated into Octopus Reads. Wire details: docs/maximizer-wire.md.
import {
  CeqlSyntaxError,
  parseCeqlFields,
  parseCeqlOrderBy,
  parseCeqlWhere,
  type CeqlOrderField,
} from '../ceql/ceql';
import { OutboundRefusedError } from '@pollcast/outbound-guard';
import type { ElementOutboundOptions } from '../catalog';
import { ElementRequestError } from '../errors';
import { DEFAULT_HTTP_TIMEOUTS, HttpTransport, type HttpTimeouts } from '../http';
import { HubUrlError, parseHubUrl } from '../hub-url';
import type {
  ElementAdapter,
  ElementConfiguration,
  HubRequest,
  HubRequestPlan,
  HubRequestPlanInput,
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
  MAXIMIZER_RESOURCES,
  type MaximizerResource,
} from './definition';
import {
  combineCriteria,
  interpretReadResponse,
  interpretTokenResponse,
  orderingFor,
  type OctopusReadBody,
} from './octopus';

export const MAXIMIZER_DEFAULT_PAGE_SIZE = 100;
export const MAXIMIZER_MAX_PAGE_SIZE = 1000;

/** Query parameters we understand; anything else is ignored with a warning. */
const KNOWN_PARAMETERS = new Set(['where', 'fields', 'orderBy', 'pageSize', 'page', 'nextPage']);

export interface MaximizerAdapterOptions {
  /** Defaults: connect 5 s, total 30 s. */
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Clock for token expiry and Retry-After dates (tests). */
  readonly now?: () => number;
  /** Operator allow-list and name resolution for the outbound guard. */
  readonly outbound?: ElementOutboundOptions;
}

function requestError(
  message: string,
  details: { position?: number; configKey?: string } = {},
): ElementRequestError {
  return new ElementRequestError(`${MAXIMIZER_KEY}: ${message}`, {
    elementKey: MAXIMIZER_KEY,
    operation: 'hub-request',
    ...details,
  });
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

function resolveResource(hub: string, resourceName: string): MaximizerResource {
  if (hub !== MAXIMIZER_HUB) {
    throw requestError(`unknown hub '${hub}'; ${MAXIMIZER_KEY} serves /hubs/${MAXIMIZER_HUB}`);
  }
  const resource = Object.hasOwn(MAXIMIZER_RESOURCES, resourceName)
    ? MAXIMIZER_RESOURCES[resourceName]
    : undefined;
  if (resource === undefined) {
    throw requestError(
      `unknown resource '${resourceName}'; known resources: ${Object.keys(MAXIMIZER_RESOURCES).join(', ')}`,
    );
  }
  return resource;
}

function resolvePageSize(
  requested: number | undefined,
  fromUrl: string | undefined,
  warnings: string[],
): number {
  let pageSize = MAXIMIZER_DEFAULT_PAGE_SIZE;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1)
      throw requestError(`pageSize must be a positive integer`);
    pageSize = requested;
  } else if (fromUrl !== undefined) {
    const parsed = Number(fromUrl.trim());
    if (Number.isInteger(parsed) && parsed >= 1) {
      pageSize = parsed;
    } else {
      warnings.push(`Ignored pageSize=${JSON.stringify(fromUrl)}: not a positive integer`);
    }
  }
  if (pageSize > MAXIMIZER_MAX_PAGE_SIZE) {
    warnings.push(`pageSize ${pageSize} lowered to Maximizer's maximum of ${MAXIMIZER_MAX_PAGE_SIZE}`);
    pageSize = MAXIMIZER_MAX_PAGE_SIZE;
  }
  return pageSize;
}

function withCeqlErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CeqlSyntaxError) throw requestError(error.message, { position: error.position });
    throw error;
  }
}

export function planMaximizerHubRequest(input: HubRequestPlanInput): HubRequestPlan {
  let parsedUrl;
  try {
    parsedUrl = parseHubUrl(input.url);
  } catch (error) {
    if (error instanceof HubUrlError) throw requestError(error.message);
    throw error;
  }
  const warnings = [...parsedUrl.warnings];
  const resource = resolveResource(parsedUrl.hub, parsedUrl.resource);
  const parameters = parsedUrl.parameters;
  for (const name of parameters.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) warnings.push(`Ignored unknown query parameter '${name}'`);
  }
  if (parameters.has('page') || parameters.has('nextPage')) {
    warnings.push(`Ignored 'page'/'nextPage' in the URL: paging uses the page token`);
  }

  const where = parameters.get('where');
  const parsedWhere =
    where === undefined
      ? { expression: undefined, warnings: [] }
      : withCeqlErrors(() => parseCeqlWhere(where));
  warnings.push(...parsedWhere.warnings);

  const orderByParameter = parameters.get('orderBy');
  const requestedOrder: CeqlOrderField[] | undefined =
    orderByParameter === undefined || orderByParameter.trim() === ''
      ? undefined
      : withCeqlErrors(() => parseCeqlOrderBy(orderByParameter));

  const fieldsParameter = parameters.get('fields');
  const requestedFields =
    fieldsParameter === undefined ? [] : withCeqlErrors(() => parseCeqlFields(fieldsParameter));
  const ordering = orderingFor(resource, parsedWhere.expression, requestedOrder);
  let scopeFields: Record<string, 1>;
  if (requestedFields.length === 0) {
    scopeFields = { '*': 1 };
  } else {
    // The poller needs the id and the dates to classify events, and ordering fields to page.
    const needed = [
      resource.idField,
      ...resource.dateFields,
      ...ordering.flatMap((entry) => Object.keys(entry)),
    ];
    scopeFields = Object.fromEntries([...requestedFields, ...needed].map((field) => [field, 1] as const));
  }

  const searchQuery = combineCriteria(resource, parsedWhere.expression);
  const readBody: OctopusReadBody = {
    Scope: { Fields: scopeFields },
    ...(searchQuery === undefined ? {} : { Criteria: { SearchQuery: searchQuery } }),
    OrderBy: { Fields: ordering },
    PageSize: resolvePageSize(input.pageSize, parameters.get('pageSize'), warnings),
    ...(input.pageToken === undefined || input.pageToken === '' ? {} : { PageKey: input.pageToken }),
  };
  return {
    resource: resource.name,
    method: 'POST',
    path: '/octopus/Read',
    body: { [resource.entity]: readBody },
    warnings,
  };
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

    async executeHubRequest(request: HubRequest): Promise<HubResponse> {
      const plan = planMaximizerHubRequest(request);
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
