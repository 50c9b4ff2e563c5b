/**
 * The two `POST /instances` bodies of the seed document (SAP Open Connectors' "Maximizer Events"),
 * written once: compatibility is judged against exactly this text. Only what the seed leaves empty
 * (grant code, keys, callback) and the host-specific values a test must point at its own servers are
 * parameters; everything else stays as the seed has it.
 */
export interface SeedFill {
  code: string;
  apiKey?: string;
  apiSecret?: string;
  oauthCallbackUrl?: string;
  callbackUrl?: string;
  refreshInterval?: string;
  /** Optional `event.notification.signature.key` (the seed shows none). */
  signatureKey?: string;
}

const DATES = { updatedAtField: 'LastModifyDate', updatedAtFormat: "yyyy-MM-dd'T'HH:mm:ssXXX" };

function signature(fill: SeedFill): Record<string, string> {
  return fill.signatureKey === undefined ? {} : { 'event.notification.signature.key': fill.signatureKey };
}

/** The part both bodies share: the OAuth app, the callback and the interval (filled in or the seed's). */
function commonConfiguration(fill: SeedFill, seedCallbackUrl: string): Record<string, unknown> {
  return {
    'oauth.callback.url': fill.oauthCallbackUrl ?? 'https://mycoolapp.com',
    'oauth.api.key': fill.apiKey ?? 'Rand0MAP1-key',
    'oauth.api.secret': fill.apiSecret ?? 'fak3AP1-s3Cr3t',
    'event.notification.enabled': true,
    'event.notification.callback.url': fill.callbackUrl ?? seedCallbackUrl,
    ...signature(fill),
    'event.poller.refresh_interval': fill.refreshInterval ?? '15',
  };
}

/** The seed's first body, the template: contacts and companies spelled out, two resources left `{ }`. */
export function seedTemplateBody(fill: SeedFill): Record<string, unknown> {
  return {
    element: { key: 'maximizer' },
    providerData: { code: fill.code },
    configuration: {
      ...commonConfiguration(fill, 'http://mycoolapp.com'),
      'event.poller.configuration': {
        contacts: {
          // The trailing space is the seed's.
          url: "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}' ",
          idField: 'Key',
          datesConfiguration: DATES,
        },
        companies: {
          url: "/hubs/crm/companies?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}' ",
          idField: 'Key',
          datesConfiguration: DATES,
        },
        'addressbook-entries': {},
        opportunities: {},
      },
    },
    tags: [''],
    name: '',
  };
}

/** The seed's second body, the curl example — with its stray `"` after the closing quote of the URL. */
export function seedCurlBody(fill: SeedFill): Record<string, unknown> {
  return {
    element: { key: 'maximizer' },
    providerData: { code: fill.code },
    configuration: {
      ...commonConfiguration(
        fill,
        'https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2/events/woocommercercerest/',
      ),
      'event.poller.configuration': {
        contacts: {
          url: "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'\"",
          idField: 'Key',
          datesConfiguration: DATES,
        },
      },
    },
    tags: ['Docs'],
    name: 'API Instance with Polling',
  };
}
