// The contract every element implements. One element = one folder under src/ exporting an
// ElementAdapter; the catalog (catalog.ts) is the only place that lists them.

/** Instance configuration as the platform stores it (Open Connectors sends strings, booleans, objects). */
export type ElementConfiguration = Readonly<Record<string, unknown>>;

export interface ConfigKeyDefinition {
  readonly key: string;
  readonly description: string;
  /** Secret values are masked in responses and redacted from logs. */
  readonly secret: boolean;
  readonly required: boolean;
  readonly defaultValue?: string;
}

/**
 * Seed spelling (`updatedAtField` …). The rest of the Open Connectors docs spell the same keys
 * `updatedDateField` …; config-schema accepts both, we emit the seed's.
 */
export type DefaultDatesConfiguration = {
  readonly updatedAtField: string;
  readonly updatedAtFormat: string;
  readonly createdAtField?: string;
  readonly createdAtFormat?: string;
};

/** A resource's default poller configuration, as raw JSON in the seed's shape. A type alias (not an
 * interface) so it is assignable to `Record<string, unknown>`. */
export type DefaultPollerConfig = {
  readonly url: string;
  readonly idField: string;
  readonly datesConfiguration: DefaultDatesConfiguration;
};

export interface ResourceDefinition {
  readonly name: string;
  readonly description: string;
  readonly defaultPollerConfig: DefaultPollerConfig;
}

export type AuthenticationType = 'oauth2' | 'oauth2-client-credentials' | 'apiKey' | 'basic' | 'bearer';

export interface ElementDefinition {
  readonly key: string;
  readonly name: string;
  readonly hub: string;
  /**
   * How the element authenticates. Only `oauth2` (authorization code) needs `providerData.code` at
   * POST /instances; for the others `exchangeCode` ignores the code and captures the credential from the
   * configuration (or, for client credentials, fetches a token), and `refreshTokens` does so again.
   */
  readonly authentication: { readonly type: AuthenticationType };
  readonly configKeys: readonly ConfigKeyDefinition[];
  /** Defaults applied under the instance's configuration (string values, Open Connectors style). */
  readonly configDefaults: Readonly<Record<string, string>>;
  readonly defaultRefreshIntervalMinutes: number;
  readonly resources: Readonly<Record<string, ResourceDefinition>>;
  /**
   * The provider's own hosts this element may call (`[https://]host[:port]`, `*.domain`; see
   * @pollcast/outbound-guard). Operators add others (on-premise servers) with
   * POLLCAST_PROVIDER_ALLOWED_HOSTS; nothing else is ever called.
   */
  readonly providerHosts: readonly string[];
}

/** A URL the element will call, and the configuration key that decides it (named in 400 answers). */
export interface ProviderTarget {
  readonly configKey: string;
  readonly url: string;
}

export interface OAuthTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token stops working (computed from `expires_in` at receipt). */
  readonly expiresAt: Date;
}

/** What a hub request asks for: a rendered URL, planned by the adapter on every call… */
export interface HubRequestByUrl {
  /** Rendered poller URL, e.g. `/hubs/crm/contacts?where=LastModifyDate>'2019-01-15T11:54:00-05:00'`. */
  readonly url: string;
  /** Records per page; wins over a `pageSize` query parameter in the URL. */
  readonly pageSize?: number;
  readonly plan?: undefined;
}

/** …or a plan made once (`planHubRequest` without a page token) and reused for every page of a poll,
 * so the URL is not parsed and translated again per page. */
export interface HubRequestByPlan {
  readonly plan: HubRequestPlan;
  readonly url?: undefined;
  readonly pageSize?: undefined;
}

export type HubRequest = (HubRequestByUrl | HubRequestByPlan) & {
  /** Instance configuration: supplies the provider base URL and element-specific settings. */
  readonly configuration: ElementConfiguration;
  readonly accessToken: string;
  /** `nextPageToken` of the previous page; omit for the first page. */
  readonly pageToken?: string;
  readonly signal?: AbortSignal;
};

export interface HubResponse {
  /** Provider records, exactly as the provider returned them. */
  readonly records: Record<string, unknown>[];
  /** Present when more records follow; pass it back unchanged with the same URL. */
  readonly nextPageToken?: string;
  /** Things we tolerated or ignored (trailing garbage, unknown parameters, clamped page size…). */
  readonly warnings: string[];
}

/** The provider call a hub request turns into, without performing it (validation, debugging, tests). */
export interface HubRequestPlan {
  readonly resource: string;
  readonly method: 'POST' | 'GET';
  /** Path relative to the provider base URL. */
  readonly path: string;
  readonly body: unknown;
  readonly warnings: string[];
}

export interface HubRequestPlanInput {
  readonly url: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface ElementAdapter extends ElementDefinition {
  /** Where to send the user to grant access. `state` defaults to the element key (as Open Connectors does). */
  authorizeUrl(configuration: ElementConfiguration, state?: string): string;
  exchangeCode(configuration: ElementConfiguration, code: string, signal?: AbortSignal): Promise<OAuthTokens>;
  refreshTokens(
    configuration: ElementConfiguration,
    refreshToken: string,
    signal?: AbortSignal,
  ): Promise<OAuthTokens>;
  /**
   * Every provider URL this configuration makes the element call (base URL, OAuth token URL), checked
   * against the outbound guard: throws ElementRequestError naming the configuration key when one is
   * refused. No I/O; the same URLs are checked again when connecting. `check: false` only computes
   * them (to compare a stored configuration with a new one).
   */
  providerTargets(configuration: ElementConfiguration, options?: { check?: boolean }): ProviderTarget[];
  /** Pure: parse and translate a hub URL. Throws ElementRequestError for bad URLs / queries. Without a
   * page token the plan is the same for every page of a poll: pass it as `plan` to executeHubRequest. */
  planHubRequest(input: HubRequestPlanInput): HubRequestPlan;
  /** Pure: the plan that lists every id of the resource a hub URL polls (a reconciliation's listing):
   * only the id field, all records, stable order. Run it page by page with executeHubRequest. Absent when
   * the element cannot list ids (declarative definitions, for now): `deletions.mode: reconcile` is then
   * refused when the instance is created or changed. */
  planIdListing?(input: { url: string; pageSize?: number }): HubRequestPlan;
  /** One page of a hub request against the provider. Throws ProviderError (see errors.ts). */
  executeHubRequest(request: HubRequest): Promise<HubResponse>;
  /** Closes keep-alive connections. The adapter stays usable (connections are reopened on demand). */
  close(): Promise<void>;
}
