// The one engine behind every declarative element: a checked definition (format.ts) becomes an
// ElementAdapter, so the poller runs it exactly as it runs Maximizer (same windows, watermarks, retries,
// rate limits and token refresh). What the platform stores as the instance's "access token" is, for
// these elements, an opaque credential (credential.ts): the token or static secret plus any values the
// token response carried.
import { OutboundRefusedError } from '@pollcast/outbound-guard';
import type { ElementOutboundOptions } from '../catalog';
import { deepFreeze } from '../deep-freeze';
import { ElementRequestError, kindForStatus, parseRetryAfter, ProviderError, redactSecrets } from '../errors';
import { HubUrlError, parseHubUrl } from '../hub-url';
import { DEFAULT_HTTP_TIMEOUTS, HttpTransport, type HttpResponse, type HttpTimeouts } from '../http';
import type {
  AuthenticationType,
  ConfigKeyDefinition,
  ElementAdapter,
  ElementConfiguration,
  HubRequest,
  HubRequestPlan,
  HubRequestPlanInput,
  HubResponse,
  OAuthTokens,
  ProviderTarget,
  ResourceDefinition,
} from '../types';
import { decodeCredential, encodeCredential, type Credential } from './credential';
import type { DeclarativeResource, ElementDefinitionDocument } from './format';
import {
  placeholdersOf,
  readPath,
  renderJsonTemplate,
  renderTemplate,
  TemplateReferenceError,
  type Placeholder,
} from './template';

export interface DeclarativeAdapterOptions {
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly now?: () => number;
  readonly outbound?: ElementOutboundOptions;
}

/** The plan of one poll: resource, the poller URL's parameters, the page size. */
export interface DeclarativePlan extends HubRequestPlan {
  readonly parameters: Readonly<Record<string, string>>;
  readonly pageSize: number;
}

/** A static credential never expires by itself; the provider says when it stops working (401). */
const STATIC_CREDENTIAL_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;
const MESSAGE_LIMIT = 200;

const OAUTH_CONFIG_KEYS: readonly ConfigKeyDefinition[] = [
  {
    key: 'oauth.api.key',
    description: 'Client ID of the app registered with the provider.',
    secret: false,
    required: true,
  },
  {
    key: 'oauth.api.secret',
    description: 'Client secret of the app registered with the provider.',
    secret: true,
    required: true,
  },
];
const CALLBACK_CONFIG_KEY: ConfigKeyDefinition = {
  key: 'oauth.callback.url',
  description: 'Redirect URI registered with the provider; the authorization code is sent there.',
  secret: false,
  required: true,
};

function authenticationType(definition: ElementDefinitionDocument): AuthenticationType {
  const auth = definition.authentication;
  if (auth.type === 'oauth2')
    return auth.grant === 'authorization_code' ? 'oauth2' : 'oauth2-client-credentials';
  return auth.type;
}

function configKeysOf(definition: ElementDefinitionDocument): ConfigKeyDefinition[] {
  const own = definition.configuration.map((entry) => ({
    key: entry.key,
    description: entry.description,
    secret: entry.secret,
    required: entry.required,
    ...(entry.default === undefined ? {} : { defaultValue: entry.default }),
  }));
  const type = authenticationType(definition);
  if (type === 'oauth2') return [...OAUTH_CONFIG_KEYS, CALLBACK_CONFIG_KEY, ...own];
  if (type === 'oauth2-client-credentials') return [...OAUTH_CONFIG_KEYS, ...own];
  return own;
}

function resourcesOf(definition: ElementDefinitionDocument): Record<string, ResourceDefinition> {
  return Object.fromEntries(
    Object.entries(definition.resources).map(([name, resource]) => [
      name,
      {
        name,
        description: resource.description,
        defaultPollerConfig: {
          url: resource.poller.url,
          idField: resource.idField,
          datesConfiguration: {
            updatedAtField: resource.updatedField,
            updatedAtFormat: resource.updatedFormat,
            ...(resource.createdField === undefined
              ? {}
              : { createdAtField: resource.createdField, createdAtFormat: resource.createdFormat }),
          },
        },
      },
    ]),
  );
}

function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}

/** The provider's own words from an error body (common shapes only; never the raw body). */
function providerMessageOf(bodyText: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const first: unknown = Array.isArray(body) ? (body as unknown[])[0] : body;
  for (const path of ['message', 'error_description', 'error.message', 'errorCode', 'error', 'description']) {
    const value = readPath(first, path);
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** `<https://…?page=2>; rel="next", <…>; rel="last"` → the next URL. */
export function linkNext(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/,\s*(?=<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (
      match?.[1] !== undefined &&
      /(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(match[2] ?? '')
    )
      return match[1];
  }
  return undefined;
}

type PageState =
  | { kind: 'page'; page: number }
  | { kind: 'offset'; offset: number }
  | { kind: 'cursor'; cursor: string }
  | { kind: 'url'; url: string };

function encodePageToken(state: PageState): string {
  return JSON.stringify(state);
}

export function createDeclarativeAdapter(
  document: ElementDefinitionDocument,
  options: DeclarativeAdapterOptions = {},
): ElementAdapter {
  const definition = deepFreeze(structuredClone(document));
  const key = definition.key;
  const type = authenticationType(definition);
  const configKeys = configKeysOf(definition);
  const configDefaults = Object.fromEntries(
    definition.configuration.flatMap((entry) =>
      entry.default === undefined ? [] : [[entry.key, entry.default]],
    ),
  );
  const transport = new HttpTransport(
    { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts },
    {
      target: 'provider URL',
      allowedHosts: [...definition.providerHosts, ...(options.outbound?.allowedHosts ?? [])],
      ...(options.outbound?.resolve === undefined ? {} : { resolve: options.outbound.resolve }),
    },
  );
  const now = options.now ?? Date.now;

  const configError = (configKey: string, message: string): ElementRequestError =>
    new ElementRequestError(`${key}: configuration '${configKey}' ${message}`, {
      elementKey: key,
      operation: 'configuration',
      configKey,
    });

  function configValue(configuration: ElementConfiguration, name: string): string | undefined {
    const value = configuration[name];
    if (value === undefined || value === null || value === '') return configDefaults[name];
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw configError(name, 'must be a string');
  }

  function requiredConfig(configuration: ElementConfiguration, name: string): string {
    const value = configValue(configuration, name);
    if (value === undefined || value === '') throw configError(name, 'is required');
    return value;
  }

  /** Renders a template; a missing configuration value is a configuration error naming its key. */
  function render(
    template: string,
    configuration: ElementConfiguration,
    extra: (placeholder: Placeholder) => string | undefined = () => undefined,
    encode?: (value: string) => string,
  ): string {
    return renderTemplate(
      template,
      (placeholder) =>
        placeholder.source === 'config'
          ? requiredConfig(configuration, placeholder.name)
          : extra(placeholder),
      encode,
    );
  }

  /** The configuration key that decides a URL template (named in 400 answers), else the element's key. */
  function deciderOf(template: string): string {
    return (
      placeholdersOf(template).find((placeholder) => placeholder.source === 'config')?.name ?? 'element.key'
    );
  }

  function checkTarget(url: string, configKey: string): void {
    try {
      transport.policy.check(url);
    } catch (error) {
      if (!(error instanceof OutboundRefusedError)) throw error;
      throw configError(configKey, `: ${error.message}`);
    }
  }

  function providerTargets(
    configuration: ElementConfiguration,
    check: { check?: boolean } = {},
  ): ProviderTarget[] {
    const targets: ProviderTarget[] = [];
    const auth = definition.authentication;
    // A base URL from the token response (Salesforce's instance_url) is only known after authorization;
    // it is checked when called.
    if (!placeholdersOf(definition.baseUrl).some((placeholder) => placeholder.source === 'token'))
      targets.push({
        configKey: deciderOf(definition.baseUrl),
        url: render(definition.baseUrl, configuration),
      });
    if (auth.type === 'oauth2')
      targets.push({ configKey: deciderOf(auth.tokenUrl), url: render(auth.tokenUrl, configuration) });
    if (check.check !== false) for (const target of targets) checkTarget(target.url, target.configKey);
    return targets;
  }

  // ---- authentication ----

  async function tokenRequest(
    configuration: ElementConfiguration,
    form: Record<string, string>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ tokens: OAuthTokens; refreshTokenGiven: boolean }> {
    const auth = definition.authentication;
    if (auth.type !== 'oauth2') throw new Error(`${key}: no token endpoint`);
    const clientId = requiredConfig(configuration, 'oauth.api.key');
    const clientSecret = requiredConfig(configuration, 'oauth.api.secret');
    const secrets = [clientSecret, form['code'], form['refresh_token']];
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const fields = { ...form };
    if (auth.clientAuthentication === 'basic') {
      headers['authorization'] =
        `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    } else {
      fields['client_id'] = clientId;
      fields['client_secret'] = clientSecret;
    }
    const tokenUrl = render(auth.tokenUrl, configuration);
    const response = await transport.request(
      'POST',
      tokenUrl,
      headers,
      new URLSearchParams(fields).toString(),
      {
        elementKey: key,
        operation,
        secrets,
        configKey: deciderOf(auth.tokenUrl),
        ...(signal === undefined ? {} : { signal }),
      },
    );
    const receivedAt = now();
    if (response.status < 200 || response.status >= 300) {
      let oauthError: string | undefined;
      try {
        const body = JSON.parse(response.bodyText) as unknown;
        const value = readPath(body, 'error');
        if (typeof value === 'string') oauthError = value.slice(0, 100);
      } catch {
        // Not JSON: the status decides.
      }
      const kind =
        response.status === 429
          ? 'rate_limited'
          : response.status >= 500 || response.status === 408
            ? 'retryable'
            : 'permanent';
      const providerMessage = providerMessageOf(response.bodyText);
      throw new ProviderError(
        redactSecrets(
          `${key} ${operation}: HTTP ${response.status}${providerMessage === undefined ? '' : ` ${truncate(providerMessage)}`}`,
          secrets,
        ),
        {
          kind,
          elementKey: key,
          operation,
          status: response.status,
          ...(providerMessage === undefined
            ? {}
            : { providerMessage: redactSecrets(truncate(providerMessage), secrets) }),
          ...(oauthError === undefined ? {} : { oauthError }),
          ...retryAfterOf(response),
        },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(response.bodyText);
    } catch {
      throw new ProviderError(`${key} ${operation}: the token response is not JSON`, {
        kind: 'retryable',
        elementKey: key,
        operation,
        status: response.status,
      });
    }
    const accessToken = readPath(body, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '')
      throw new ProviderError(`${key} ${operation}: the token response has no access_token`, {
        kind: 'retryable',
        elementKey: key,
        operation,
        status: response.status,
      });
    const refreshToken = readPath(body, 'refresh_token');
    const expiresIn = Number(readPath(body, 'expires_in'));
    const values: Record<string, string> = {};
    for (const [name, path] of Object.entries(auth.tokenValues)) {
      const value = readPath(body, path);
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ProviderError(`${key} ${operation}: the token response has no '${path}'`, {
          kind: 'retryable',
          elementKey: key,
          operation,
          status: response.status,
        });
      values[name] = String(value);
    }
    const lifetimeSeconds =
      Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : auth.defaultExpiresInSeconds;
    return {
      refreshTokenGiven: typeof refreshToken === 'string' && refreshToken !== '',
      tokens: {
        accessToken: encodeCredential({ token: accessToken, values }),
        refreshToken: typeof refreshToken === 'string' ? refreshToken : '',
        expiresAt: new Date(receivedAt + lifetimeSeconds * 1000),
      },
    };
  }

  /** apiKey / bearer / basic: the credential is the configuration's secret, captured as the "token". */
  function staticCredential(configuration: ElementConfiguration): OAuthTokens {
    const auth = definition.authentication;
    let credential: Credential;
    if (auth.type === 'apiKey' || auth.type === 'bearer') {
      credential = { token: requiredConfig(configuration, auth.configKey), values: {} };
    } else if (auth.type === 'basic') {
      credential = {
        token: Buffer.from(
          `${render(auth.username, configuration)}:${render(auth.password, configuration)}`,
        ).toString('base64'),
        values: {},
      };
    } else {
      throw new Error(`${key}: not a static credential`);
    }
    return {
      accessToken: encodeCredential(credential),
      refreshToken: '',
      expiresAt: new Date(now() + STATIC_CREDENTIAL_LIFETIME_MS),
    };
  }

  function scopeOf(scopes: readonly string[], separator: string): Record<string, string> {
    return scopes.length === 0 ? {} : { scope: scopes.join(separator) };
  }

  async function clientCredentials(
    configuration: ElementConfiguration,
    signal?: AbortSignal,
  ): Promise<OAuthTokens> {
    const auth = definition.authentication;
    if (auth.type !== 'oauth2') throw new Error(`${key}: not OAuth`);
    const { tokens } = await tokenRequest(
      configuration,
      { grant_type: 'client_credentials', ...scopeOf(auth.scopes, auth.scopeSeparator) },
      'oauth/token (client_credentials)',
      signal,
    );
    return tokens;
  }

  // ---- hub requests ----

  function requestError(message: string): ElementRequestError {
    return new ElementRequestError(`${key}: ${message}`, { elementKey: key, operation: 'plan' });
  }

  function planHubRequest(input: HubRequestPlanInput): DeclarativePlan {
    let parsed;
    try {
      parsed = parseHubUrl(input.url);
    } catch (error) {
      if (error instanceof HubUrlError) throw requestError(error.message);
      throw error;
    }
    if (parsed.hub !== definition.hub)
      throw requestError(`hub '${parsed.hub}' is not this element's; use /hubs/${definition.hub}/{resource}`);
    const resource = Object.hasOwn(definition.resources, parsed.resource)
      ? definition.resources[parsed.resource]
      : undefined;
    if (resource === undefined)
      throw requestError(
        `unknown resource '${parsed.resource}'; known: ${Object.keys(definition.resources).join(', ')}`,
      );
    const parameters: Record<string, string> = {};
    for (const [name, value] of parsed.parameters) {
      if (name === 'pageSize') continue;
      if (!Object.hasOwn(resource.parameters, name))
        throw requestError(
          `unknown parameter '${name.slice(0, 50)}' for ${parsed.resource}; it accepts: ${Object.keys(resource.parameters).join(', ') || 'none'}`,
        );
      const pattern = resource.parameters[name]?.pattern;
      if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value))
        throw requestError(
          `parameter '${name}' does not have the form ${parsed.resource} accepts (${pattern})`,
        );
      parameters[name] = value;
    }
    for (const [name, parameter] of Object.entries(resource.parameters)) {
      if (parameters[name] === undefined && parameter.default !== undefined)
        parameters[name] = parameter.default;
      if (parameters[name] === undefined && parameter.required)
        throw requestError(`parameter '${name}' is required for ${parsed.resource}`);
    }
    const warnings = [...parsed.warnings];
    const asked =
      input.pageSize ??
      (parsed.parameters.has('pageSize') ? Number(parsed.parameters.get('pageSize')) : undefined);
    let pageSize = resource.pageSize.default;
    if (asked !== undefined && Number.isInteger(asked) && asked > 0) pageSize = asked;
    if (pageSize > resource.pageSize.max) {
      warnings.push(`pageSize ${pageSize} is above ${key}'s maximum; ${resource.pageSize.max} is used`);
      pageSize = resource.pageSize.max;
    }
    return {
      resource: parsed.resource,
      method: resource.request.method,
      path: resource.request.path,
      body: resource.request.body,
      warnings,
      parameters,
      pageSize,
    };
  }

  function resourceOf(plan: HubRequestPlan): DeclarativeResource {
    const resource = Object.hasOwn(definition.resources, plan.resource)
      ? definition.resources[plan.resource]
      : undefined;
    if (resource === undefined) throw requestError(`unknown resource '${plan.resource}'`);
    return resource;
  }

  function retryAfterOf(response: HttpResponse): { retryAfterMs?: number } {
    const fromHeader = parseRetryAfter(
      response.headers[definition.rateLimit.retryAfterHeader.toLowerCase()],
      now(),
    );
    if (fromHeader !== undefined) return { retryAfterMs: fromHeader };
    const { remainingHeader, resetHeader, resetFormat } = definition.rateLimit;
    if (remainingHeader === undefined || resetHeader === undefined) return {};
    if (response.headers[remainingHeader.toLowerCase()]?.trim() !== '0') return {};
    const reset = Number(response.headers[resetHeader.toLowerCase()]);
    if (!Number.isFinite(reset)) return {};
    return {
      retryAfterMs: Math.max(0, resetFormat === 'epochSeconds' ? reset * 1000 - now() : reset * 1000),
    };
  }

  function failure(response: HttpResponse, operation: string, secrets: readonly string[]): ProviderError {
    const { statuses } = definition;
    const retryAfter = retryAfterOf(response);
    let kind = kindForStatus(response.status);
    if (statuses.refresh.includes(response.status)) kind = 'unauthorized';
    else if (statuses.rateLimited.includes(response.status)) kind = 'rate_limited';
    else if (statuses.retry.includes(response.status)) kind = 'retryable';
    else if (kind !== 'permanent') kind = 'permanent';
    // A "forbidden" that is really a spent rate limit (GitHub answers 403 with remaining 0).
    if (kind === 'permanent' && retryAfter.retryAfterMs !== undefined && response.status === 403)
      kind = 'rate_limited';
    const message = providerMessageOf(response.bodyText);
    const providerMessage = message === undefined ? undefined : redactSecrets(truncate(message), secrets);
    return new ProviderError(
      `${key} ${operation}: HTTP ${response.status}${providerMessage === undefined ? '' : ` ${providerMessage}`}`,
      {
        kind,
        elementKey: key,
        operation,
        status: response.status,
        ...(providerMessage === undefined ? {} : { providerMessage }),
        ...retryAfter,
      },
    );
  }

  function authenticate(url: URL, headers: Record<string, string>, credential: Credential): void {
    const auth = definition.authentication;
    switch (auth.type) {
      case 'oauth2':
      case 'bearer':
        headers['authorization'] = `Bearer ${credential.token}`;
        return;
      case 'basic':
        headers['authorization'] = `Basic ${credential.token}`;
        return;
      case 'apiKey':
        if (auth.in === 'header') headers[auth.name.toLowerCase()] = `${auth.prefix}${credential.token}`;
        else url.searchParams.set(auth.name, credential.token);
        return;
    }
  }

  async function executeHubRequest(request: HubRequest): Promise<HubResponse> {
    const plan = (request.plan ??
      planHubRequest({
        url: request.url,
        ...(request.pageSize === undefined ? {} : { pageSize: request.pageSize }),
      })) as DeclarativePlan;
    const resource = resourceOf(plan);
    const credential = decodeCredential(request.accessToken);
    const operation = `${resource.request.method} ${plan.resource}`;
    const values = (placeholder: Placeholder): string | undefined => {
      switch (placeholder.source) {
        case 'config':
          return requiredConfig(request.configuration, placeholder.name);
        case 'param':
          return plan.parameters[placeholder.name];
        case 'token':
          return credential.values[placeholder.name];
        case 'pageSize':
          return String(plan.pageSize);
      }
    };
    let state: PageState | undefined;
    if (request.pageToken !== undefined) {
      try {
        state = JSON.parse(request.pageToken) as PageState;
      } catch {
        throw requestError('the page token is not one this element issued');
      }
    }
    let baseUrl: string;
    try {
      baseUrl = renderTemplate(definition.baseUrl, values).replace(/\/+$/, '');
    } catch (error) {
      if (error instanceof TemplateReferenceError)
        throw new ProviderError(
          `${key}: ${error.message} (the credential lacks a token value; re-authorize)`,
          {
            kind: 'permanent',
            elementKey: key,
            operation,
          },
        );
      throw error;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(definition.headers))
      headers[name.toLowerCase()] = renderTemplate(value, values);
    for (const [name, value] of Object.entries(resource.request.headers))
      headers[name.toLowerCase()] = renderTemplate(value, values);
    let method = resource.request.method;
    let url: URL;
    let body: unknown = undefined;
    if (state?.kind === 'url') {
      // A next URL from the provider (Link header, nextRecordsUrl) is followed only on the base URL's
      // origin: it carries our credential, and the provider's answer is not trusted to aim it elsewhere.
      url = new URL(state.url, `${baseUrl}/`);
      if (url.origin !== new URL(baseUrl).origin)
        throw new ProviderError(`${key} ${operation}: the next-page URL leaves the provider's origin`, {
          kind: 'permanent',
          elementKey: key,
          operation,
        });
      method = 'GET';
    } else {
      const path = renderTemplate(resource.request.path, values, encodeURIComponent);
      url = new URL(`${baseUrl}${path.startsWith('/') ? '' : '/'}${path}`);
      const cursorOnly =
        resource.paging.type === 'cursor' && resource.paging.cursorOnly && state?.kind === 'cursor';
      if (!cursorOnly)
        for (const [name, value] of Object.entries(resource.request.query))
          url.searchParams.set(name, renderTemplate(value, values));
      body =
        resource.request.body === undefined ? undefined : renderJsonTemplate(resource.request.body, values);
      const put = (where: 'query' | 'body', name: string, value: string | number): void => {
        if (where === 'query') url.searchParams.set(name, String(value));
        else body = { ...(typeof body === 'object' && body !== null ? body : {}), [name]: value };
      };
      if (resource.pageSize.parameter !== undefined)
        put(resource.pageSize.in, resource.pageSize.parameter, plan.pageSize);
      const paging = resource.paging;
      if (paging.type === 'pageNumber')
        put(paging.in, paging.parameter, state?.kind === 'page' ? state.page : paging.start);
      if (paging.type === 'offset')
        put(paging.in, paging.parameter, state?.kind === 'offset' ? state.offset : 0);
      if (paging.type === 'cursor' && state?.kind === 'cursor')
        put(paging.in, paging.parameter, state.cursor);
    }
    authenticate(url, headers, credential);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const secrets = [credential.token, request.accessToken];
    const response = await transport.request(
      method,
      url.toString(),
      headers,
      body === undefined ? undefined : JSON.stringify(body),
      {
        elementKey: key,
        operation,
        secrets,
        configKey: deciderOf(definition.baseUrl),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      },
    );
    if (response.status < 200 || response.status >= 300) throw failure(response, operation, secrets);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.bodyText);
    } catch {
      throw new ProviderError(`${key} ${operation}: the response is not JSON`, {
        kind: 'retryable',
        elementKey: key,
        operation,
        status: response.status,
      });
    }
    const records = readPath(parsed, resource.records);
    if (
      !Array.isArray(records) ||
      records.some((record) => typeof record !== 'object' || record === null || Array.isArray(record))
    )
      throw new ProviderError(
        `${key} ${operation}: the response has no records array at '${resource.records}'`,
        {
          kind: 'retryable',
          elementKey: key,
          operation,
          status: response.status,
        },
      );
    const next = nextState(resource, state, parsed, response, records.length, plan.pageSize);
    return {
      records: records as Record<string, unknown>[],
      ...(next === undefined ? {} : { nextPageToken: encodePageToken(next) }),
      warnings: plan.warnings,
    };
  }

  function nextState(
    resource: DeclarativeResource,
    state: PageState | undefined,
    body: unknown,
    response: HttpResponse,
    count: number,
    pageSize: number,
  ): PageState | undefined {
    const { stop, paging } = resource;
    if (count === 0 && stop.whenEmpty) return undefined;
    if (stop.whenShortPage && count < pageSize) return undefined;
    if (stop.whenTrue !== undefined && readPath(body, stop.whenTrue) === true) return undefined;
    switch (paging.type) {
      case 'none':
        return undefined;
      case 'pageNumber':
        return { kind: 'page', page: (state?.kind === 'page' ? state.page : paging.start) + 1 };
      case 'offset':
        return { kind: 'offset', offset: (state?.kind === 'offset' ? state.offset : 0) + count };
      case 'cursor': {
        const cursor = readPath(body, paging.cursorPath);
        return typeof cursor === 'string' && cursor !== ''
          ? { kind: 'cursor', cursor }
          : typeof cursor === 'number'
            ? { kind: 'cursor', cursor: String(cursor) }
            : undefined;
      }
      case 'linkHeader': {
        const link = linkNext(response.headers['link']);
        return link === undefined ? undefined : { kind: 'url', url: link };
      }
      case 'nextUrl': {
        const link = readPath(body, paging.path);
        return typeof link === 'string' && link !== '' ? { kind: 'url', url: link } : undefined;
      }
    }
  }

  return {
    key,
    name: definition.name,
    hub: definition.hub,
    authentication: { type },
    configKeys: deepFreeze(configKeys),
    configDefaults: deepFreeze(configDefaults),
    defaultRefreshIntervalMinutes: definition.defaultRefreshIntervalMinutes,
    resources: deepFreeze(resourcesOf(definition)),
    providerHosts: definition.providerHosts,

    authorizeUrl(configuration, state = key): string {
      const auth = definition.authentication;
      if (auth.type !== 'oauth2' || auth.grant !== 'authorization_code')
        throw requestError(`authenticates with ${type}: there is no authorize URL`);
      const url = new URL(render(auth.authorizeUrl, configuration));
      const query: Record<string, string> = {
        response_type: 'code',
        client_id: requiredConfig(configuration, 'oauth.api.key'),
        redirect_uri: requiredConfig(configuration, 'oauth.callback.url'),
        state,
        ...scopeOf(auth.scopes, auth.scopeSeparator),
        ...auth.authorizeParameters,
      };
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return url.toString();
    },

    async exchangeCode(configuration, code, signal): Promise<OAuthTokens> {
      if (type === 'oauth2-client-credentials') return clientCredentials(configuration, signal);
      if (type !== 'oauth2') return staticCredential(configuration);
      const { tokens, refreshTokenGiven } = await tokenRequest(
        configuration,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: requiredConfig(configuration, 'oauth.callback.url'),
        },
        'oauth/token (authorization_code)',
        signal,
      );
      if (!refreshTokenGiven)
        throw requestError(
          'the token endpoint issued no refresh_token; the instance could not stay authorized',
        );
      return tokens;
    },

    async refreshTokens(configuration, refreshToken, signal): Promise<OAuthTokens> {
      if (type === 'oauth2-client-credentials') return clientCredentials(configuration, signal);
      if (type !== 'oauth2') return staticCredential(configuration);
      const { tokens, refreshTokenGiven } = await tokenRequest(
        configuration,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        'oauth/token (refresh_token)',
        signal,
      );
      // RFC 6749 §6: a server that does not rotate keeps the old refresh token valid.
      return refreshTokenGiven ? tokens : { ...tokens, refreshToken };
    },

    providerTargets,
    planHubRequest,
    executeHubRequest,
    close: () => transport.close(),
  };
}
