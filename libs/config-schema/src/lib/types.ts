/**
 * The canonical, typed form of an instance body. Every service downstream of the API reads this
 * shape and never the client's raw configuration, so the many accepted spellings are resolved once,
 * here.
 */

/** Where a record's date lives and how to read it. */
export interface DateFieldConfig {
  /** Dotted JSON path of the field inside a provider record, e.g. `LastModifyDate`. */
  field: string;
  /** A Java SimpleDateFormat pattern, or the literal `milliseconds` (epoch milliseconds). */
  format: string;
  /** The zone the provider writes the date in, as the client wrote it (validated); default `GMT`. */
  zone: string;
}

/** One polled resource, with every default applied. */
export interface ResourcePollerConfig {
  /** Resource name as configured (the key in `event.poller.configuration`), e.g. `contacts`. */
  resource: string;
  /** Hub URL template with `${…}` date placeholders, kept verbatim (trailing text included). */
  url: string;
  /** Dotted JSON path of the record id; becomes the event's `objectId`. */
  idField: string;
  updated?: DateFieldConfig;
  created?: DateFieldConfig;
  /** true: the window filter uses the updated date; false: the created date. Default true. */
  filterByUpdatedDate: boolean;
  /** true: the window has an upper bound (the poll's start time). Default false. */
  filterByCurrentDate: boolean;
  /** Seconds within which created == updated counts as CREATED. Default 10. */
  createdCheckTolerance: number;
  /** Records per provider page, 1..1000. Default 100. */
  pageSize: number;
  /** Seconds subtracted from the window start. Default 0. */
  pollDelay: number;
}

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
