export type {
  CanonicalInstanceConfig,
  ConfigIssue,
  DateFieldConfig,
  ElementDescriptor,
  EventVendorType,
  EventsConfig,
  OAuthConfig,
  ParseInstanceBodyOptions,
  ParseInstanceBodyResult,
  ParseMode,
  ResourcePollerConfig,
} from './lib/types';
export { parseInstanceBody, instanceBodySchema, type InstanceBody } from './lib/parse-instance-body';
export { CONFIG_KEYS, KNOWN_EVENT_KEYS, isReservedKey } from './lib/configuration';
export {
  DEFAULT_ZONE,
  RESOURCE_DEFAULTS,
  datesConfigurationSchema,
  resourcePollerConfigSchema,
} from './lib/resource-config';
export {
  MAX_REFRESH_INTERVAL_MINUTES,
  flagSchema,
  httpUrlSchema,
  refreshIntervalSchema,
} from './lib/scalars';
export { LEGACY_URL_FIELDS } from './lib/poller-resources';
export { MILLISECONDS_FORMAT } from './lib/templates';
export {
  SECRET_MASK,
  isSecretConfigKey,
  maskCanonicalConfig,
  maskConfiguration,
  maskUrlCredentials,
} from './lib/mask';
export { toInstanceBody, toResourceJson } from './lib/serialize';
