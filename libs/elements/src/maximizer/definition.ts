// Maximizer's catalog entry: configuration keys, defaults and the pollable hub resources with the
// Octopus entity behind each. Pure data; the adapter (adapter.ts) adds behaviour.
import { deepFreeze } from '../deep-freeze';
import type {
  ConfigKeyDefinition,
  DefaultPollerConfig,
  ElementDefinition,
  ResourceDefinition,
} from '../types';

export const MAXIMIZER_KEY = 'maximizer';
export const MAXIMIZER_HUB = 'crm';

/** Maximizer renders dates with an ISO offset at second precision (docs/maximizer-wire.md). */
const MAXIMIZER_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX";

export type OctopusEntity = 'AbEntry' | 'Opportunity';

export interface MaximizerResource extends ResourceDefinition {
  readonly entity: OctopusEntity;
  /** Criteria every request for this resource carries (docs/maximizer-wire.md, "Resource mapping"). */
  readonly fixedCriteria: Readonly<Record<string, unknown>> | undefined;
  /** Fields that are instants; the first one a where clause filters on becomes the default ordering. */
  readonly dateFields: readonly string[];
  readonly idField: string;
}

function pollerConfig(resource: string): DefaultPollerConfig {
  return {
    url: `/hubs/${MAXIMIZER_HUB}/${resource}?where=LastModifyDate>'\${date:${MAXIMIZER_DATE_FORMAT}}'`,
    idField: 'Key',
    datesConfiguration: {
      updatedAtField: 'LastModifyDate',
      updatedAtFormat: MAXIMIZER_DATE_FORMAT,
      createdAtField: 'CreationDate',
      createdAtFormat: MAXIMIZER_DATE_FORMAT,
    },
  };
}

function resource(
  name: string,
  description: string,
  entity: OctopusEntity,
  fixedCriteria: Record<string, unknown> | undefined,
): MaximizerResource {
  return {
    name,
    description,
    entity,
    fixedCriteria,
    dateFields: ['LastModifyDate', 'CreationDate'],
    idField: 'Key',
    defaultPollerConfig: pollerConfig(name),
  };
}

export const MAXIMIZER_RESOURCES: Readonly<Record<string, MaximizerResource>> = deepFreeze({
  contacts: resource('contacts', 'Address book entries of type Contact', 'AbEntry', {
    Type: { $EQ: 'Contact' },
  }),
  companies: resource('companies', 'Address book entries of type Company', 'AbEntry', {
    Type: { $EQ: 'Company' },
  }),
  'addressbook-entries': resource(
    'addressbook-entries',
    'All address book entries (companies, individuals, contacts)',
    'AbEntry',
    undefined,
  ),
  opportunities: resource('opportunities', 'Sales opportunities', 'Opportunity', undefined),
});

export const MAXIMIZER_DEFAULT_DATACENTER = 'caw';
export const MAXIMIZER_DEFAULT_ALIAS = 'default';
export const MAXIMIZER_DEFAULT_REFRESH_INTERVAL_MINUTES = 15;

export const MAXIMIZER_CONFIG_KEYS: readonly ConfigKeyDefinition[] = deepFreeze([
  {
    key: 'oauth.api.key',
    description: 'Client ID of the app registered with Maximizer (the Key Name noted in API Provider Setup).',
    secret: false,
    required: true,
  },
  {
    key: 'oauth.api.secret',
    description: 'Client secret of the app registered with Maximizer.',
    secret: true,
    required: true,
  },
  {
    key: 'oauth.callback.url',
    description: 'Redirect URI registered with Maximizer; the authorization code is sent there.',
    secret: false,
    required: true,
  },
  {
    key: 'maximizer.alias',
    description:
      "Maximizer database alias; part of the OAuth URLs (/OAuth2/{alias}/…). Defaults to 'default', so Open Connectors bodies that do not name one (the seed's) work unchanged.",
    secret: false,
    required: false,
  },
  {
    key: 'maximizer.datacenter',
    description:
      'Maximizer CRM Live data center, the host prefix of https://{datacenter}.maximizercrmlive.com.',
    secret: false,
    required: false,
    defaultValue: MAXIMIZER_DEFAULT_DATACENTER,
  },
  {
    key: 'maximizer.url',
    description:
      'Base URL of the Maximizer server (OAuth and Octopus API). Overrides maximizer.datacenter; ' +
      'used for on-premise servers and the simulator. Must be a Maximizer cloud host or one the operator ' +
      'allows (POLLCAST_PROVIDER_ALLOWED_HOSTS); changing it needs a new authorization (providerData.code).',
    secret: false,
    required: false,
  },
]);

/**
 * Maximizer's documented cloud hosts: CRM Live data centers `https://{region}.maximizercrmlive.com`
 * (OAuth and the Octopus API under an account alias) and the Octopus API host `https://api.maximizer.com`
 * (see README "Provider hosts" for the sources). On-premise servers are added by the operator.
 */
export const MAXIMIZER_PROVIDER_HOSTS: readonly string[] = deepFreeze([
  'https://*.maximizercrmlive.com',
  'https://api.maximizer.com',
]);

export const MAXIMIZER_DEFINITION: ElementDefinition = deepFreeze({
  key: MAXIMIZER_KEY,
  name: 'Maximizer',
  hub: MAXIMIZER_HUB,
  authentication: { type: 'oauth2' },
  configKeys: MAXIMIZER_CONFIG_KEYS,
  // Element keys only: event.* settings have their own fields (defaultRefreshIntervalMinutes,
  // resources[…].defaultPollerConfig), and config-schema merges these into the element's config.
  configDefaults: {
    'maximizer.datacenter': MAXIMIZER_DEFAULT_DATACENTER,
    'maximizer.alias': MAXIMIZER_DEFAULT_ALIAS,
  },
  defaultRefreshIntervalMinutes: MAXIMIZER_DEFAULT_REFRESH_INTERVAL_MINUTES,
  resources: MAXIMIZER_RESOURCES,
  providerHosts: MAXIMIZER_PROVIDER_HOSTS,
});
