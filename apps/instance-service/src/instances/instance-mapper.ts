import { createHash } from 'node:crypto';
import { isSecretConfigKey, maskConfiguration, type CanonicalInstanceConfig } from '@pollcast/config-schema';
import { instanceSnapshotSchema, type InstanceSnapshot } from '@pollcast/contracts';
import type { ElementDefinition } from '@pollcast/elements';

/** What the instance table holds, in the shape the mapper needs (no ciphertexts). */
export interface StoredInstance {
  id: string;
  organizationId: string;
  userId: string;
  userEmail: string;
  elementKey: string;
  name: string;
  tags: string[];
  disabled: boolean;
  valid: boolean;
  /** The canonical configuration with every secret masked. */
  publicConfig: CanonicalInstanceConfig;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ElementSummary {
  id: number;
  key: string;
  name: string;
  hub: string;
}

/** Open Connectors' instance representation. */
export interface InstanceResponse {
  id: number;
  name: string;
  token?: string;
  createdDate: string;
  updatedDate: string;
  element: ElementSummary;
  configuration: Record<string, unknown>;
  tags: string[];
  eventsEnabled: boolean;
  valid: boolean;
  disabled: boolean;
  user: { id: number; emailAddress: string };
  /** Per-instance change counter, the same as in the published snapshot. */
  version: number;
}

/** One entry of `GET /instances/{id}/configuration` (Open Connectors' shape). */
export interface ConfigurationEntry {
  id: number;
  key: string;
  name: string;
  propertyValue: unknown;
}

/** Element ids are numbers in Open Connectors; ours are the catalog position (stable: the catalog only grows). */
export function elementSummary(element: ElementDefinition, catalogIndex: number): ElementSummary {
  return { id: catalogIndex + 1, key: element.key, name: element.name, hub: element.hub };
}

/** The configuration as shown: the client's keys over the element's effective configuration, secrets masked. */
export function visibleConfiguration(publicConfig: CanonicalInstanceConfig): Record<string, unknown> {
  return maskConfiguration({ ...publicConfig.elementConfig, ...publicConfig.original });
}

export function toInstanceResponse(
  instance: StoredInstance,
  element: ElementSummary,
  token: string | undefined,
): InstanceResponse {
  return {
    id: Number(instance.id),
    name: instance.name,
    ...(token === undefined ? {} : { token }),
    createdDate: instance.createdAt.toISOString(),
    updatedDate: instance.updatedAt.toISOString(),
    element,
    configuration: visibleConfiguration(instance.publicConfig),
    tags: instance.tags,
    eventsEnabled: instance.publicConfig.events.enabled,
    valid: instance.valid,
    disabled: instance.disabled,
    user: { id: Number(instance.userId), emailAddress: instance.userEmail },
    version: instance.version,
  };
}

/** A configuration entry's id: numeric like Open Connectors', derived from the key so it never changes. */
export function configurationEntryId(key: string): number {
  return Number.parseInt(createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12), 16);
}

export function configurationEntries(publicConfig: CanonicalInstanceConfig): ConfigurationEntry[] {
  return Object.entries(visibleConfiguration(publicConfig))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, propertyValue]) => ({ id: configurationEntryId(key), key, name: key, propertyValue }));
}

/** Finds the configuration key a path segment names: the key itself or its numeric entry id. */
export function resolveConfigurationKey(
  publicConfig: CanonicalInstanceConfig,
  configId: string,
): string | undefined {
  const keys = Object.keys(visibleConfiguration(publicConfig));
  if (keys.includes(configId)) return configId;
  if (/^\d{1,16}$/.test(configId)) return keys.find((key) => configurationEntryId(key) === Number(configId));
  return undefined;
}

/** The snapshot published to `pollcast.instances.v1`: everything a poller needs, no secret. */
export function toInstanceSnapshot(instance: StoredInstance): InstanceSnapshot {
  const config = instance.publicConfig;
  const snapshot: InstanceSnapshot = {
    id: instance.id,
    organizationId: instance.organizationId,
    elementKey: instance.elementKey,
    name: instance.name,
    tags: instance.tags,
    enabled: !instance.disabled,
    valid: instance.valid,
    elementConfig: Object.fromEntries(
      Object.entries(config.elementConfig).filter(([key]) => !isSecretConfigKey(key)),
    ),
    events: {
      enabled: config.events.enabled,
      vendorType: config.events.vendorType,
      ...(config.events.callbackUrl === undefined ? {} : { callbackUrl: config.events.callbackUrl }),
      hasSignatureKey: config.events.signatureKey !== undefined && config.events.signatureKey !== '',
      refreshIntervalMinutes: config.events.refreshIntervalMinutes,
      // One type (`ResourcePoller`): the parse below copies each resource, keeping only its schema's keys.
      resources: config.events.resources,
    },
    createdAt: instance.createdAt.toISOString(),
    updatedAt: instance.updatedAt.toISOString(),
    version: instance.version,
  };
  // A bug here would poison every consumer; fail the request instead.
  return instanceSnapshotSchema.parse(snapshot);
}
