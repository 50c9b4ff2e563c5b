// Turns API JSON into the console's types without trusting its shape. Unknown fields are kept in
// `raw` so the UI can still show them; missing ones become undefined instead of crashing a page.
import type {
  Delivery,
  DeliveryAttempt,
  ElementConfigKey,
  ElementDetail,
  ElementResource,
  ElementSummary,
  EventDetail,
  EventSummary,
  Instance,
  JsonObject,
  Row,
} from './types';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The first of `keys` that `row` has as a string or number. */
export function pickText(row: Row, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = text(row[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function pickNumber(row: Row, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = numeric(row[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function flag(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

/**
 * A list from a response that may be a bare array or wrap it (`{items}`, `{events}`, …): the services
 * that answer these calls are still being written, and both styles are common.
 */
export function listOf(body: unknown, ...wrapperKeys: string[]): Row[] {
  if (Array.isArray(body)) return body.filter(isObject);
  if (isObject(body)) {
    for (const key of [...wrapperKeys, 'items', 'data', 'results']) {
      const inner = body[key];
      if (Array.isArray(inner)) return inner.filter(isObject);
    }
  }
  return [];
}

/** A JSON object given as an object or as a JSON-encoded string (Open Connectors stores defaults as strings). */
function objectOrJsonString(value: unknown): JsonObject | undefined {
  if (isObject(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return isObject(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function toElementSummary(row: Row): ElementSummary | undefined {
  const key = pickText(row, 'key');
  if (key === undefined) return undefined;
  return {
    key,
    name: pickText(row, 'name') ?? key,
    hub: pickText(row, 'hub'),
    description: pickText(row, 'description'),
  };
}

const DEFAULT_CONFIG_KEYS = [
  'defaultPollerConfig',
  'defaultPollerConfiguration',
  'pollerConfig',
  'pollerConfiguration',
];

function toResource(name: string, value: unknown, elementDefaults: JsonObject | undefined): ElementResource {
  const row = isObject(value) ? value : {};
  let config: JsonObject | undefined;
  for (const key of DEFAULT_CONFIG_KEYS) config ??= objectOrJsonString(row[key]);
  config ??= objectOrJsonString(elementDefaults?.[name]);
  return { name, description: pickText(row, 'description'), defaultPollerConfig: config ?? {} };
}

export function toElementDetail(body: unknown): ElementDetail | undefined {
  if (!isObject(body)) return undefined;
  const summary = toElementSummary(body);
  if (summary === undefined) return undefined;
  let elementDefaults: JsonObject | undefined;
  for (const key of DEFAULT_CONFIG_KEYS) elementDefaults ??= objectOrJsonString(body[key]);
  const rawResources = body['resources'];
  const resources: ElementResource[] = [];
  if (Array.isArray(rawResources)) {
    for (const entry of rawResources) {
      const name = isObject(entry) ? pickText(entry, 'name', 'key') : text(entry);
      if (name !== undefined) resources.push(toResource(name, entry, elementDefaults));
    }
  } else if (isObject(rawResources)) {
    for (const [name, entry] of Object.entries(rawResources))
      resources.push(toResource(name, entry, elementDefaults));
  } else if (elementDefaults !== undefined) {
    for (const name of Object.keys(elementDefaults))
      resources.push(toResource(name, undefined, elementDefaults));
  }
  const authentication = isObject(body['authentication']) ? body['authentication'] : {};
  const configuration: ElementConfigKey[] = [];
  if (Array.isArray(body['configuration'])) {
    for (const entry of body['configuration']) {
      const key = isObject(entry) ? pickText(entry, 'key') : undefined;
      if (!isObject(entry) || key === undefined) continue;
      configuration.push({
        key,
        description: pickText(entry, 'description'),
        secret: entry['secret'] === true,
        required: entry['required'] === true,
        defaultValue: pickText(entry, 'defaultValue'),
      });
    }
  }
  return {
    ...summary,
    defaultRefreshIntervalMinutes: pickNumber(body, 'defaultRefreshIntervalMinutes'),
    resources,
    // Older answers had no type: every element was OAuth then.
    authenticationType: pickText(authentication, 'type') ?? 'oauth2',
    configuration,
  };
}

export function toInstance(row: Row): Instance | undefined {
  const id = pickText(row, 'id');
  if (id === undefined) return undefined;
  const element = isObject(row['element']) ? row['element'] : {};
  const configuration = objectOrJsonString(row['configuration']) ?? {};
  const tags = Array.isArray(row['tags'])
    ? row['tags'].filter((tag): tag is string => typeof tag === 'string')
    : [];
  return {
    id,
    name: pickText(row, 'name') ?? id,
    elementKey: pickText(element, 'key') ?? pickText(row, 'elementKey') ?? '',
    elementName: pickText(element, 'name') ?? pickText(element, 'key') ?? pickText(row, 'elementKey') ?? '',
    createdDate: pickText(row, 'createdDate', 'createdAt'),
    tags,
    enabled: row['enabled'] !== undefined ? flag(row['enabled'], true) : !flag(row['disabled'], false),
    valid: flag(row['valid'], true),
    eventsEnabled: flag(row['eventsEnabled'] ?? configuration['event.notification.enabled'], false),
    configuration,
    raw: row,
  };
}

export function toEventSummary(row: Row): EventSummary | undefined {
  const id = pickText(row, 'id', 'eventId');
  if (id === undefined) return undefined;
  // The event's own fields, or those of its first normalized event (callback body shape).
  const message = isObject(row['message']) ? row['message'] : row;
  const firstEvent = listOf(message['events'])[0] ?? {};
  return {
    id,
    eventType: pickText(row, 'eventType') ?? pickText(firstEvent, 'eventType'),
    objectType: pickText(row, 'objectType') ?? pickText(firstEvent, 'objectType'),
    objectId: pickText(row, 'objectId') ?? pickText(firstEvent, 'objectId'),
    status: pickText(row, 'status', 'deliveryStatus'),
    date: pickText(row, 'eventDate', 'date', 'createdDate', 'createdAt') ?? pickText(firstEvent, 'date'),
    raw: row,
  };
}

function toAttempt(row: Row, index: number): DeliveryAttempt {
  return {
    number: pickNumber(row, 'attempt', 'attemptNumber', 'number') ?? index + 1,
    at: pickText(row, 'attemptedAt', 'at', 'date', 'createdAt', 'startedAt'),
    status: pickText(row, 'status', 'outcome', 'result'),
    httpStatus: pickNumber(row, 'httpStatus', 'statusCode', 'responseStatus'),
    error: pickText(row, 'error', 'errorMessage', 'message'),
    raw: row,
  };
}

function toDelivery(row: Row): Delivery {
  return {
    id: pickText(row, 'id', 'deliveryId'),
    status: pickText(row, 'status', 'state'),
    callbackUrl: pickText(row, 'callbackUrl', 'url'),
    attempts: listOf(row['attempts']).map(toAttempt),
    raw: row,
  };
}

export function toEventDetail(body: unknown): EventDetail | undefined {
  if (!isObject(body)) return undefined;
  const summary = toEventSummary(body);
  if (summary === undefined) return undefined;
  let deliveries = listOf(body['deliveries']).map(toDelivery);
  // Pollcast's dispatcher lists the attempts flat (`deliveryAttempts`), each naming its notification:
  // one delivery per notification (a replay makes a new one).
  const flatAttempts = listOf(body['deliveryAttempts'] ?? body['attempts']);
  if (deliveries.length === 0 && flatAttempts.length > 0) {
    const byNotification = new Map<string, Row[]>();
    for (const attempt of flatAttempts) {
      const notification = pickText(attempt, 'notificationId', 'deliveryId') ?? '';
      byNotification.set(notification, [...(byNotification.get(notification) ?? []), attempt]);
    }
    const latestNotification = pickText(body, 'notificationId');
    deliveries = [...byNotification.entries()].map(([notification, attempts]) => ({
      id: notification === '' ? undefined : notification,
      // The event's status describes its current notification; older ones were superseded.
      status: notification === latestNotification || byNotification.size === 1 ? summary.status : 'REPLACED',
      callbackUrl: undefined,
      attempts: attempts.map(toAttempt),
      raw: { notificationId: notification, attempts },
    }));
  }
  return { ...summary, deliveries };
}
