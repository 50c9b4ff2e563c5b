// The console's only door to the platform: typed calls to the public /elements/api-v2 API on the
// instance-service, poller-service and dispatcher origins from console-config.json.
import { toDeliveryStats, type DeliveryStats } from './delivery-stats';
import {
  isObject,
  listOf,
  pickText,
  toElementDetail,
  toElementSummary,
  toEventDetail,
  toEventSummary,
  toInstance,
} from './normalize';
import { authorizationHeader } from './session';
import type {
  ConsoleConfig,
  Credentials,
  ElementDetail,
  ElementSummary,
  EventDetail,
  EventSummary,
  FieldIssue,
  Instance,
  JsonObject,
  OAuthUrlResponse,
  Row,
} from './types';

export const API_PREFIX = '/elements/api-v2';

/** A non-2xx answer, with the platform's `{requestId, message, errors}` body when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | undefined,
    readonly issues: readonly FieldIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type ApiGroup = 'instances' | 'poller' | 'dispatcher';

export interface CreateInstanceBody {
  readonly element: { readonly key: string };
  /** Only for elements authorized with an OAuth grant code. */
  readonly providerData?: { readonly code: string };
  readonly configuration: JsonObject;
  readonly tags: readonly string[];
  readonly name: string;
}

function issuesOf(body: unknown): FieldIssue[] {
  if (!isObject(body) || !Array.isArray(body['errors'])) return [];
  return body['errors'].filter(isObject).map((issue) => ({
    path: pickText(issue, 'path') ?? '',
    message: pickText(issue, 'message') ?? 'Invalid value',
  }));
}

export class PollcastApi {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly credentials: Credentials,
  ) {}

  private url(group: ApiGroup, path: string): string {
    const base =
      group === 'poller'
        ? this.config.pollerApiBase
        : group === 'dispatcher'
          ? this.config.dispatcherApiBase
          : this.config.apiBase;
    return `${base}${API_PREFIX}${path}`;
  }

  private async request(group: ApiGroup, method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: authorizationHeader(this.credentials),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.url(group, path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // Credentials are in the header; cookies are never needed (and would complicate CORS).
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, `Cannot reach the ${group} API. Is the service running?`, undefined, []);
    }
    const textBody = await response.text();
    let parsed: unknown = undefined;
    if (textBody !== '') {
      try {
        parsed = JSON.parse(textBody);
      } catch {
        parsed = textBody;
      }
    }
    if (!response.ok) {
      const message =
        (isObject(parsed) ? pickText(parsed, 'message', 'error') : undefined) ??
        `${method} ${path} failed with HTTP ${response.status}`;
      const requestId = isObject(parsed) ? pickText(parsed, 'requestId') : undefined;
      throw new ApiError(response.status, message, requestId, issuesOf(parsed));
    }
    return parsed;
  }

  async listElements(): Promise<ElementSummary[]> {
    const rows = listOf(await this.request('instances', 'GET', '/elements'), 'elements');
    return rows.map(toElementSummary).filter((element) => element !== undefined);
  }

  async getElement(key: string): Promise<ElementDetail> {
    const element = toElementDetail(
      await this.request('instances', 'GET', `/elements/${encodeURIComponent(key)}`),
    );
    if (element === undefined)
      throw new ApiError(500, `The element '${key}' came back without a key`, undefined, []);
    return element;
  }

  /**
   * The provider's authorize URL. `elementConfig` carries element keys the element needs to build it
   * (e.g. `maximizer.url`, `maximizer.alias`), passed as query parameters under their own names.
   */
  async getOAuthUrl(
    key: string,
    params: { apiKey: string; apiSecret: string; callbackUrl: string; state: string },
    elementConfig: Readonly<Record<string, string>>,
  ): Promise<OAuthUrlResponse> {
    const query = new URLSearchParams({ ...params });
    for (const [name, value] of Object.entries(elementConfig)) if (value !== '') query.set(name, value);
    const body = await this.request(
      'instances',
      'GET',
      `/elements/${encodeURIComponent(key)}/oauth/url?${query}`,
    );
    const oauthUrl = isObject(body) ? pickText(body, 'oauthUrl') : undefined;
    if (oauthUrl === undefined)
      throw new ApiError(500, 'The OAuth URL response has no oauthUrl', undefined, []);
    return { oauthUrl };
  }

  async listInstances(): Promise<Instance[]> {
    const rows = listOf(await this.request('instances', 'GET', '/instances'), 'instances');
    return rows.map(toInstance).filter((instance) => instance !== undefined);
  }

  async getInstance(id: string): Promise<Instance> {
    const body = await this.request('instances', 'GET', `/instances/${encodeURIComponent(id)}`);
    const instance = isObject(body) ? toInstance(body) : undefined;
    if (instance === undefined)
      throw new ApiError(500, 'The instance came back without an id', undefined, []);
    return instance;
  }

  async createInstance(body: CreateInstanceBody): Promise<Instance> {
    const created = await this.request('instances', 'POST', '/instances', body);
    const instance = isObject(created) ? toInstance(created) : undefined;
    if (instance === undefined)
      throw new ApiError(500, 'The created instance came back without an id', undefined, []);
    return instance;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.request(
      'instances',
      enabled ? 'PUT' : 'DELETE',
      `/instances/${encodeURIComponent(id)}/enabled`,
    );
  }

  async deleteInstance(id: string): Promise<void> {
    await this.request('instances', 'DELETE', `/instances/${encodeURIComponent(id)}`);
  }

  /** Per-resource poller state: its shape belongs to poller-service, so rows stay generic. */
  async getPollerState(id: string): Promise<Row[]> {
    const body = await this.request('poller', 'GET', `/instances/${encodeURIComponent(id)}/poller`);
    const rows = listOf(body, 'resources');
    if (rows.length > 0) return rows;
    // Keyed by resource name: { contacts: {…}, companies: {…} } (possibly under `resources`).
    const keyed = isObject(body) && isObject(body['resources']) ? body['resources'] : body;
    if (!isObject(keyed)) return [];
    return Object.entries(keyed)
      .filter((entry): entry is [string, JsonObject] => isObject(entry[1]))
      .map(([resource, state]) => ({ resource, ...state }));
  }

  /** Asks poller-service to poll every resource now instead of at the next interval. */
  async pollNow(id: string): Promise<void> {
    await this.request('poller', 'POST', `/instances/${encodeURIComponent(id)}/polls`, {});
  }

  async listPolls(id: string): Promise<Row[]> {
    return listOf(await this.request('poller', 'GET', `/instances/${encodeURIComponent(id)}/polls`), 'polls');
  }

  async listEvents(id: string): Promise<EventSummary[]> {
    const body = await this.request('dispatcher', 'GET', `/instances/${encodeURIComponent(id)}/events`);
    return listOf(body, 'events')
      .map(toEventSummary)
      .filter((event) => event !== undefined);
  }

  async getEvent(id: string, eventId: string): Promise<EventDetail> {
    const body = await this.request(
      'dispatcher',
      'GET',
      `/instances/${encodeURIComponent(id)}/events/${encodeURIComponent(eventId)}`,
    );
    const event = toEventDetail(body);
    if (event === undefined) throw new ApiError(500, 'The event came back without an id', undefined, []);
    return event;
  }

  /** The last `hours` of the instance's events and deliveries, per minute, for the charts. */
  async getDeliveryStats(id: string, hours = 24): Promise<DeliveryStats> {
    const body = await this.request(
      'dispatcher',
      'GET',
      `/instances/${encodeURIComponent(id)}/delivery-stats?hours=${hours}`,
    );
    const stats = toDeliveryStats(body);
    if (stats === undefined)
      throw new ApiError(500, 'The delivery stats came back in an unknown shape', undefined, []);
    return stats;
  }

  /** Redeliver queued / failed deliveries; with event ids, only those events. */
  async redeliver(id: string, eventIds?: readonly string[]): Promise<void> {
    await this.request(
      'dispatcher',
      'PUT',
      `/instances/${encodeURIComponent(id)}/events/redeliver`,
      eventIds === undefined ? {} : { eventIds },
    );
  }
}
