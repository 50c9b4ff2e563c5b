import { z } from 'zod';
import {
  describeValue,
  didYouMean,
  formatPath,
  relativeZodIssues,
  rootIssues,
  type IssueCollector,
  type PathSegment,
} from './issues';
import {
  parseLegacyPollerUrls,
  parsePollerConfiguration,
  resolveResources,
  type ResourceEntry,
} from './poller-resources';
import { flagSchema, httpUrlSchema, refreshIntervalSchema, textSchema } from './scalars';
import type { ElementDescriptor, EventVendorType, EventsConfig, OAuthConfig } from './types';

export const CONFIG_KEYS = {
  eventsEnabled: 'event.notification.enabled',
  vendorType: 'event.vendor.type',
  callbackUrl: 'event.notification.callback.url',
  signatureKey: 'event.notification.signature.key',
  refreshInterval: 'event.poller.refresh_interval',
  pollerConfiguration: 'event.poller.configuration',
  pollerUrls: 'event.poller.urls',
  oauthApiKey: 'oauth.api.key',
  oauthApiSecret: 'oauth.api.secret',
  oauthCallbackUrl: 'oauth.callback.url',
} as const;

/** Every `event.*` key Pollcast understands; any other `event.*` key is reserved, hence an error. */
export const KNOWN_EVENT_KEYS: readonly string[] = [
  CONFIG_KEYS.eventsEnabled,
  CONFIG_KEYS.vendorType,
  CONFIG_KEYS.callbackUrl,
  CONFIG_KEYS.signatureKey,
  CONFIG_KEYS.refreshInterval,
  CONFIG_KEYS.pollerConfiguration,
  CONFIG_KEYS.pollerUrls,
];

const OAUTH_KEYS: Record<string, keyof OAuthConfig> = {
  [CONFIG_KEYS.oauthApiKey]: 'apiKey',
  [CONFIG_KEYS.oauthApiSecret]: 'apiSecret',
  [CONFIG_KEYS.oauthCallbackUrl]: 'callbackUrl',
};

export function isReservedKey(key: string): boolean {
  return key.toLowerCase().startsWith('event.');
}

/** `polling`, `webhook` or Open Connectors' other spelling `webhooks`, any case; unset → undefined. */
export const vendorTypeSchema = z
  .unknown()
  .transform((value, ctx): EventVendorType | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    if (word === 'polling') return 'polling';
    if (word === 'webhook' || word === 'webhooks') return 'webhook';
    ctx.addIssue({
      code: 'custom',
      message: `must be "polling" or "webhook" ("webhooks"), got ${describeValue(value)}`,
    });
    return z.NEVER;
  })
  .optional();

export interface ParsedConfiguration {
  oauth: OAuthConfig;
  events: EventsConfig;
  elementConfig: Record<string, string>;
}

/** Splits the flat `configuration` map into OAuth, events and element keys, validating each. */
export function parseConfiguration(
  configuration: Record<string, unknown>,
  element: ElementDescriptor,
  collector: IssueCollector,
): ParsedConfiguration | undefined {
  const root: PathSegment[] = ['configuration'];
  const errorsBefore = collector.errors.length;
  const read = <T>(schema: z.ZodType<T, unknown>, key: string): T | undefined => {
    const result = schema.safeParse(configuration[key], { reportInput: true });
    if (result.success) return result.data;
    collector.addErrors(rootIssues(relativeZodIssues(result.error.issues), [...root, key]));
    return undefined;
  };

  const oauth: OAuthConfig = {};
  const elementEntries: [string, string][] = [];
  for (const key of Object.keys(configuration)) {
    if (isReservedKey(key)) {
      if (!KNOWN_EVENT_KEYS.includes(key)) {
        collector.error(
          [...root, key],
          `is not a known event setting; keys starting with "event." are reserved.${didYouMean(key, KNOWN_EVENT_KEYS)} Known: ${KNOWN_EVENT_KEYS.join(', ')}`,
        );
      }
      continue;
    }
    const text = read(textSchema, key);
    if (text === undefined) continue;
    const oauthField = OAUTH_KEYS[key];
    if (oauthField !== undefined) oauth[oauthField] = text;
    else elementEntries.push([key, text]);
  }
  const elementConfig = Object.fromEntries([
    ...Object.entries(element.configDefaults).filter(
      ([key]) => !elementEntries.some(([given]) => given === key),
    ),
    ...elementEntries,
  ]);

  const enabled = read(flagSchema, CONFIG_KEYS.eventsEnabled) ?? false;
  const vendorType = read(vendorTypeSchema, CONFIG_KEYS.vendorType) ?? 'polling';
  const callbackUrl = read(httpUrlSchema, CONFIG_KEYS.callbackUrl);
  const signatureKey = read(textSchema, CONFIG_KEYS.signatureKey);
  const refreshIntervalMinutes =
    read(refreshIntervalSchema, CONFIG_KEYS.refreshInterval) ?? element.defaultRefreshIntervalMinutes;

  const configurationPath = [...root, CONFIG_KEYS.pollerConfiguration];
  const urlsPath = [...root, CONFIG_KEYS.pollerUrls];
  const fromConfiguration = parsePollerConfiguration(
    configuration[CONFIG_KEYS.pollerConfiguration],
    configurationPath,
    collector,
  );
  const fromUrls = parseLegacyPollerUrls(configuration[CONFIG_KEYS.pollerUrls], urlsPath, collector);
  const named = combineEntries(fromConfiguration, fromUrls, urlsPath, collector);
  const resources = resolveResources(named, element, configurationPath, collector);

  if (enabled) {
    const callbackPath = formatPath([...root, CONFIG_KEYS.callbackUrl]);
    if (callbackUrl === undefined && !collector.errors.some((issue) => issue.path === callbackPath)) {
      collector.error(
        [...root, CONFIG_KEYS.callbackUrl],
        'is required when event.notification.enabled is true',
      );
    }
    if (vendorType === 'webhook') {
      collector.error(
        [...root, CONFIG_KEYS.vendorType],
        `"webhook" is not supported: Pollcast delivers events for "${element.key}" by polling; use "polling" or leave it out`,
      );
    } else if (resources.length === 0 && collector.errors.length === errorsBefore) {
      collector.error(
        configurationPath,
        `events are enabled with polling, so at least one resource is needed, and element "${element.key}" has no default resources`,
      );
    }
  }
  if (collector.errors.length > errorsBefore) return undefined;

  const events: EventsConfig = { enabled, vendorType, refreshIntervalMinutes, resources };
  if (callbackUrl !== undefined) events.callbackUrl = callbackUrl;
  if (signatureKey !== undefined) events.signatureKey = signatureKey;
  return { oauth, events, elementConfig };
}

/** Both forms may be used together; a resource named by both is ambiguous. */
function combineEntries(
  fromConfiguration: ResourceEntry[] | undefined,
  fromUrls: ResourceEntry[] | undefined,
  urlsPath: readonly PathSegment[],
  collector: IssueCollector,
): ResourceEntry[] | undefined {
  if (fromConfiguration === undefined && fromUrls === undefined) return undefined;
  const combined = [...(fromConfiguration ?? [])];
  for (const entry of fromUrls ?? []) {
    if (combined.some((existing) => existing.resource === entry.resource)) {
      collector.error(
        urlsPath,
        `resource "${entry.resource}" is configured more than once (in event.poller.configuration or on another line); keep one`,
      );
      continue;
    }
    combined.push(entry);
  }
  // An empty map (`{}` or `""`) names no resource: the element's defaults apply, as when absent.
  return combined.length === 0 ? undefined : combined;
}
