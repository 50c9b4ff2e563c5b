// A stand-in for the platform's public API, enough to prove the console on its own: instance API on
// the console's origin (validating bodies with the real @pollcast/config-schema), and poller and
// dispatcher APIs on two other origins with CORS, as console-config.json describes. Events are made
// from the in-process simulator's change log, so a record created in the simulator shows up as one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseInstanceBody, type ElementDescriptor } from '@pollcast/config-schema';
import { MAXIMIZER_DEFINITION, requireElement } from '@pollcast/elements';
import type { MaximizerSimulator } from '@pollcast/maximizer-sim';
import { listen, readBody, sendJson, serveConsoleFile, type HttpHandle } from './harness';

const API = '/elements/api-v2';

export interface FakeInstance {
  id: number;
  name: string;
  tags: string[];
  disabled: boolean;
  body: Record<string, unknown>;
  createdDate: string;
  /** Simulator change-log position at creation: only later changes become events. */
  changeSeq: number;
}

export interface FakePlatform {
  readonly consoleUrl: string;
  readonly authorization: string;
  readonly instances: FakeInstance[];
  readonly createRequests: unknown[];
  readonly redeliverRequests: unknown[];
  close(): Promise<void>;
}

const OBJECT_TYPES: Record<string, string> = {
  Company: 'companies',
  Contact: 'contacts',
  Individual: 'addressbook-entries',
};

const descriptor: ElementDescriptor = {
  key: MAXIMIZER_DEFINITION.key,
  defaultRefreshIntervalMinutes: MAXIMIZER_DEFINITION.defaultRefreshIntervalMinutes,
  configDefaults: { ...MAXIMIZER_DEFINITION.configDefaults },
  resources: Object.fromEntries(
    Object.values(MAXIMIZER_DEFINITION.resources).map((resource) => [
      resource.name,
      { defaultPollerConfig: structuredClone(resource.defaultPollerConfig) },
    ]),
  ),
};

function route(request: IncomingMessage): { method: string; path: string; query: URLSearchParams } {
  const url = new URL(request.url ?? '/', 'http://fake');
  return { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams };
}

export async function startFakePlatform(sim: MaximizerSimulator): Promise<FakePlatform> {
  const authorization = 'User console-user-secret, Organization console-org-secret';
  const instances: FakeInstance[] = [];
  const createRequests: unknown[] = [];
  const redeliverRequests: unknown[] = [];
  let consoleOrigin = '';

  const instanceJson = (instance: FakeInstance) => ({
    id: instance.id,
    name: instance.name,
    token: `token-${instance.id}`,
    createdDate: instance.createdDate,
    element: { id: 1, key: 'maximizer', name: 'Maximizer', hub: 'crm' },
    configuration: { ...(instance.body['configuration'] as object), 'oauth.api.secret': '********' },
    tags: instance.tags,
    eventsEnabled: true,
    valid: true,
    disabled: instance.disabled,
  });
  const findInstance = (id: string | undefined) => instances.find((instance) => String(instance.id) === id);

  const eventsOf = (instance: FakeInstance) =>
    sim.store
      .changes({ since: instance.changeSeq })
      .filter((change) => change.entity === 'AbEntry')
      .map((change) => ({
        id: `evt-${change.seq}`,
        eventDate: change.at,
        status: 'DELIVERED',
        eventType: change.change.toUpperCase(),
        objectType: OBJECT_TYPES[change.recordType ?? ''] ?? 'addressbook-entries',
        objectId: change.Key,
      }))
      .reverse();

  /** Rejects calls without the tenant's header; answers CORS preflights for the other origins. */
  const guard = (request: IncomingMessage, response: ServerResponse, cors: boolean): boolean => {
    const headers: Record<string, string> = cors
      ? {
          'access-control-allow-origin': consoleOrigin,
          'access-control-allow-headers': 'Authorization, Content-Type',
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-max-age': '600',
        }
      : {};
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (request.method === 'OPTIONS') {
      response.writeHead(204);
      response.end();
      return false;
    }
    if (request.headers.authorization !== authorization) {
      sendJson(response, 401, { requestId: 'req-401', message: 'Invalid organization or user secret' });
      return false;
    }
    return true;
  };

  const instanceApi = await listen(async (request, response) => {
    const { method, path, query } = route(request);
    if (path === '/console-config.json') {
      // Filled in below, once the other two origins are known.
      sendJson(response, 200, consoleConfig);
      return;
    }
    if (!path.startsWith(API)) {
      serveConsoleFile(request, response);
      return;
    }
    if (!guard(request, response, false)) return;
    const parts = path.slice(API.length).split('/').filter(Boolean);
    if (method === 'GET' && parts.length === 1 && parts[0] === 'elements') {
      sendJson(response, 200, [{ id: 1, key: 'maximizer', name: 'Maximizer', hub: 'crm' }]);
    } else if (
      method === 'GET' &&
      parts[0] === 'elements' &&
      parts[1] === 'maximizer' &&
      parts.length === 2
    ) {
      sendJson(response, 200, {
        id: 1,
        key: 'maximizer',
        name: 'Maximizer',
        hub: 'crm',
        defaultRefreshIntervalMinutes: MAXIMIZER_DEFINITION.defaultRefreshIntervalMinutes,
        resources: Object.values(MAXIMIZER_DEFINITION.resources).map((resource) => ({
          name: resource.name,
          description: resource.description,
          defaultPollerConfig: resource.defaultPollerConfig,
        })),
      });
    } else if (method === 'GET' && parts[0] === 'elements' && parts[1] === 'github' && parts.length === 2) {
      // A declarative element, described as instance-service describes it.
      const github = requireElement('github');
      sendJson(response, 200, {
        id: 2,
        key: github.key,
        name: github.name,
        hub: github.hub,
        authentication: github.authentication,
        configuration: github.configKeys,
        defaultRefreshIntervalMinutes: github.defaultRefreshIntervalMinutes,
        resources: Object.values(github.resources).map((resource) => ({
          name: resource.name,
          description: resource.description,
          defaultPollerConfig: resource.defaultPollerConfig,
        })),
      });
    } else if (method === 'GET' && parts[0] === 'elements' && parts[2] === 'oauth' && parts[3] === 'url') {
      const authorize = new URL(
        `/OAuth2/${query.get('maximizer.alias') || 'default'}/Authorize`,
        query.get('maximizer.url') || sim.url,
      );
      authorize.search = new URLSearchParams({
        scope: 'data',
        response_type: 'code',
        redirect_uri: query.get('callbackUrl') ?? '',
        state: query.get('state') ?? 'maximizer',
        client_id: query.get('apiKey') ?? '',
      }).toString();
      sendJson(response, 200, { oauthUrl: authorize.toString(), element: 'maximizer' });
    } else if (method === 'POST' && parts.length === 1 && parts[0] === 'instances') {
      const body = (await readBody(request)) as Record<string, unknown>;
      createRequests.push(body);
      const parsed = parseInstanceBody(body, {
        mode: 'create',
        resolveElement: (key) =>
          key === 'maximizer' ? descriptor : key === 'github' ? requireElement('github') : undefined,
      });
      if (!parsed.ok) {
        sendJson(response, 400, {
          requestId: `req-${createRequests.length}`,
          message: 'Invalid instance',
          errors: parsed.errors,
        });
        return;
      }
      const instance: FakeInstance = {
        id: instances.length + 101,
        name: parsed.value.name,
        tags: parsed.value.tags,
        disabled: false,
        body,
        createdDate: new Date().toISOString(),
        changeSeq: sim.store.changes().at(-1)?.seq ?? 0,
      };
      instances.push(instance);
      sendJson(response, 200, instanceJson(instance));
    } else if (method === 'GET' && parts.length === 1 && parts[0] === 'instances') {
      sendJson(response, 200, instances.map(instanceJson));
    } else if (parts[0] === 'instances' && parts.length >= 2) {
      const instance = findInstance(parts[1]);
      if (instance === undefined) {
        sendJson(response, 404, { requestId: 'req-404', message: `No instance ${parts[1]}` });
      } else if (method === 'GET' && parts.length === 2) {
        sendJson(response, 200, instanceJson(instance));
      } else if (method === 'DELETE' && parts.length === 2) {
        instances.splice(instances.indexOf(instance), 1);
        sendJson(response, 200, {});
      } else if (parts[2] === 'enabled' && (method === 'PUT' || method === 'DELETE')) {
        instance.disabled = method === 'DELETE';
        sendJson(response, 200, instanceJson(instance));
      } else {
        sendJson(response, 404, { requestId: 'req-404', message: 'not found' });
      }
    } else {
      sendJson(response, 404, { requestId: 'req-404', message: `no route ${method} ${path}` });
    }
  });
  consoleOrigin = instanceApi.url;

  const pollerApi = await listen((request, response) => {
    if (!guard(request, response, true)) return;
    const { method, path } = route(request);
    const parts = path.slice(API.length).split('/').filter(Boolean);
    const instance = findInstance(parts[1]);
    if (instance === undefined) return sendJson(response, 404, { message: 'no such instance' });
    const configured = Object.keys(
      (instance.body['configuration'] as Record<string, unknown>)['event.poller.configuration'] ?? {},
    );
    if (method === 'GET' && parts[2] === 'poller') {
      sendJson(response, 200, {
        instanceId: String(instance.id),
        active: true,
        resources: configured.map((resource) => ({
          resource,
          active: true,
          state: 'ok',
          running: false,
          intervalSeconds: 60,
          nextDueAt: new Date(Date.now() + 60000).toISOString(),
          watermark: instance.createdDate,
          consecutiveFailures: 0,
          lastError: null,
        })),
      });
    } else if (method === 'GET' && parts[2] === 'polls') {
      sendJson(
        response,
        200,
        configured.map((resource, index) => ({
          id: `poll-${index}`,
          resource,
          status: 'succeeded',
          startedAt: instance.createdDate,
          finishedAt: instance.createdDate,
          pages: 1,
          records: 0,
          error: null,
        })),
      );
    } else if (method === 'POST' && parts[2] === 'polls') {
      sendJson(response, 202, { requested: configured.length });
    } else {
      sendJson(response, 404, { message: 'not found' });
    }
  });

  const dispatcherApi = await listen(async (request, response) => {
    if (!guard(request, response, true)) return;
    const { method, path } = route(request);
    const parts = path.slice(API.length).split('/').filter(Boolean);
    const instance = findInstance(parts[1]);
    if (instance === undefined) return sendJson(response, 404, { message: 'no such instance' });
    const callbackUrl = (instance.body['configuration'] as Record<string, unknown>)[
      'event.notification.callback.url'
    ];
    if (method === 'PUT' && parts[2] === 'events' && parts[3] === 'redeliver') {
      redeliverRequests.push(await readBody(request));
      sendJson(response, 202, { redelivered: 1 });
    } else if (method === 'GET' && parts[2] === 'events' && parts.length === 3) {
      sendJson(response, 200, eventsOf(instance));
    } else if (method === 'GET' && parts[2] === 'delivery-stats') {
      const now = Math.floor(Date.now() / 60_000) * 60;
      const bucketStarts = Array.from({ length: 60 }, (_, index) => now - (59 - index) * 60);
      const created = bucketStarts.map((_, index) => (index === 58 ? eventsOf(instance).length : 0));
      sendJson(response, 200, {
        bucketSeconds: 60,
        bucketStarts,
        eventsByType: { CREATED: created },
        attemptsByOutcome: { delivered: created },
        latencyMs: { p50: created.map((count) => (count > 0 ? 1200 : null)), p99: created.map(() => null) },
        totals: {
          eventsByType: { CREATED: eventsOf(instance).length },
          attemptsByOutcome: { delivered: eventsOf(instance).length },
          deliveredEvents: eventsOf(instance).length,
          latencyMs: { p50: 1200, p99: 1900 },
        },
      });
    } else if (method === 'GET' && parts[2] === 'events' && parts.length === 4) {
      const event = eventsOf(instance).find((candidate) => candidate.id === parts[3]);
      if (event === undefined) return sendJson(response, 404, { message: 'no such event' });
      sendJson(response, 200, {
        ...event,
        deliveries: [
          {
            id: `dlv-${event.id}`,
            status: 'DELIVERED',
            callbackUrl,
            attempts: [
              { attempt: 1, attemptedAt: event.eventDate, httpStatus: 503, error: 'Service Unavailable' },
              { attempt: 2, attemptedAt: event.eventDate, httpStatus: 200 },
            ],
          },
        ],
      });
    } else {
      sendJson(response, 404, { message: 'not found' });
    }
  });

  const consoleConfig = { apiBase: '', pollerApiBase: pollerApi.url, dispatcherApiBase: dispatcherApi.url };
  const handles: HttpHandle[] = [instanceApi, pollerApi, dispatcherApi];
  return {
    consoleUrl: instanceApi.url,
    authorization,
    instances,
    createRequests,
    redeliverRequests,
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}
