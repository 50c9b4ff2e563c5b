import { CONFIG_KEYS } from './configuration';
import type { CanonicalInstanceConfig, DateFieldConfig, ResourcePollerConfig } from './types';

/**
 * A canonical configuration written back as an Open Connectors request body, in the documentation's
 * spelling (`updatedDateField`…, refresh interval as a string). Parsing the result gives the same
 * canonical configuration (apart from `original`), which the tests check for arbitrary inputs.
 */
export function toInstanceBody(config: CanonicalInstanceConfig): Record<string, unknown> {
  const configuration: Record<string, unknown> = Object.fromEntries(Object.entries(config.elementConfig));
  const oauthEntries: [string, string | undefined][] = [
    [CONFIG_KEYS.oauthApiKey, config.oauth.apiKey],
    [CONFIG_KEYS.oauthApiSecret, config.oauth.apiSecret],
    [CONFIG_KEYS.oauthCallbackUrl, config.oauth.callbackUrl],
    [CONFIG_KEYS.callbackUrl, config.events.callbackUrl],
    [CONFIG_KEYS.signatureKey, config.events.signatureKey],
  ];
  for (const [key, value] of oauthEntries) if (value !== undefined) configuration[key] = value;
  configuration[CONFIG_KEYS.eventsEnabled] = config.events.enabled;
  configuration[CONFIG_KEYS.vendorType] = config.events.vendorType;
  configuration[CONFIG_KEYS.refreshInterval] = String(config.events.refreshIntervalMinutes);
  configuration[CONFIG_KEYS.pollerConfiguration] = Object.fromEntries(
    config.events.resources.map((resource) => [resource.resource, toResourceJson(resource)]),
  );
  const body: Record<string, unknown> = {
    element: { key: config.elementKey },
    name: config.name,
    tags: [...config.tags],
    disabled: config.disabled,
    configuration,
  };
  if (config.providerCode !== undefined) body.providerData = { code: config.providerCode };
  return body;
}

export function toResourceJson(resource: ResourcePollerConfig): Record<string, unknown> {
  const json: Record<string, unknown> = { url: resource.url, idField: resource.idField };
  const dates = { ...datesJson('updated', resource.updated), ...datesJson('created', resource.created) };
  if (Object.keys(dates).length > 0) json.datesConfiguration = dates;
  json.filterByUpdatedDate = resource.filterByUpdatedDate;
  json.filterByCurrentDate = resource.filterByCurrentDate;
  json.createdCheckTolerance = resource.createdCheckTolerance;
  json.pageSize = resource.pageSize;
  json.pollDelay = resource.pollDelay;
  // Only when on: a body without it is an Open Connectors body, and stays one.
  if (resource.deletions !== undefined) json.deletions = { ...resource.deletions };
  return json;
}

function datesJson(kind: 'updated' | 'created', date: DateFieldConfig | undefined): Record<string, string> {
  if (date === undefined) return {};
  return {
    [`${kind}DateField`]: date.field,
    [`${kind}DateFormat`]: date.format,
    [`${kind}DateTimezone`]: date.zone,
  };
}
