/**
 * The canonical, typed form of an instance body. Every service downstream of the API reads this
 * shape and never the client's raw configuration, so the many accepted spellings are resolved once,
 * here.
 */
import type { DateField, ResourcePoller } from '@pollcast/contracts';

/** Where a record's date lives and how to read it: `DateField` of @pollcast/contracts, the one
 *  definition the instance snapshot carries too. */
export type DateFieldConfig = DateField;

/** One polled resource, with every default applied: `ResourcePoller` of @pollcast/contracts (its
 *  `resourcePollerSchema` documents each field), so the instance snapshot carries exactly what this
 *  package produces. */
export type ResourcePollerConfig = ResourcePoller;

export type EventVendorType = 'polling' | 'webhook';

export interface EventsConfig {
  enabled: boolean;
  vendorType: EventVendorType;
  callbackUrl?: string;
  signatureKey?: string;
  refreshIntervalMinutes: number;
  /** Sorted by resource name so that equal configurations compare equal. */
  resources: ResourcePollerConfig[];
}

export interface OAuthConfig {
  apiKey?: string;
  apiSecret?: string;
  callbackUrl?: string;
}

export interface CanonicalInstanceConfig {
  elementKey: string;
  name: string;
  tags: string[];
  /** The OAuth grant code sent with *this* request (`providerData.code`); never carried over. */
  providerCode?: string;
  /** Open Connectors' `disabled` flag. Default false. */
  disabled: boolean;
  oauth: OAuthConfig;
  events: EventsConfig;
  /** Every configuration key that is neither `event.*` nor `oauth.api.*`/`oauth.callback.url`,
   *  as strings, with the element's defaults filled in (e.g. `maximizer.datacenter: 'caw'`). */
  elementConfig: Record<string, string>;
  /** The configuration object as the client wrote it (after PATCH merging), for echoing back.
   *  Contains secrets: mask it with `maskConfiguration` before it leaves the service. */
  original: Record<string, unknown>;
}

/** What `@pollcast/config-schema` needs to know about an element; supplied by the caller. */
export interface ElementDescriptor {
  key: string;
  defaultRefreshIntervalMinutes: number;
  /** Defaults for element configuration keys, e.g. `{ 'maximizer.datacenter': 'caw' }`. */
  configDefaults: Record<string, string>;
  /** Pollable resources and their default poller configuration, raw, in the seed's JSON shape. */
  resources: Record<string, { defaultPollerConfig: Record<string, unknown> }>;
}

/** One problem with the input. `path` uses the key names exactly as the client wrote them. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export type ParseMode = 'create' | 'replace' | 'patch';

export interface ParseInstanceBodyOptions {
  resolveElement(key: string): ElementDescriptor | undefined;
  /** `create` = POST /instances, `replace` = PUT, `patch` = PATCH /instances/{id}. */
  mode: ParseMode;
  /** The stored instance; required for `replace` and `patch`. */
  current?: CanonicalInstanceConfig;
}

export type ParseInstanceBodyResult =
  | { ok: true; value: CanonicalInstanceConfig; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[] };
