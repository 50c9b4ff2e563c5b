// Maximizer hub requests planned: a rendered hub URL (CEQL where / orderBy / fields, pageSize) becomes the
// Octopus Read it stands for. Pure; the adapter performs the plan. Wire details: docs/maximizer-wire.md.
import {
  CeqlSyntaxError,
  parseCeqlFields,
  parseCeqlOrderBy,
  parseCeqlWhere,
  type CeqlOrderField,
} from '../ceql/ceql';
import { ElementRequestError } from '../errors';
import { HubUrlError, parseHubUrl } from '../hub-url';
import type { HubRequestPlan, HubRequestPlanInput } from '../types';
import { MAXIMIZER_HUB, MAXIMIZER_KEY, MAXIMIZER_RESOURCES, type MaximizerResource } from './definition';
import { combineCriteria, orderingFor, type OctopusReadBody } from './octopus';

export const MAXIMIZER_DEFAULT_PAGE_SIZE = 100;
export const MAXIMIZER_MAX_PAGE_SIZE = 1000;

/** Query parameters we understand; anything else is ignored with a warning. */
const KNOWN_PARAMETERS = new Set(['where', 'fields', 'orderBy', 'pageSize', 'page', 'nextPage']);

export function requestError(
  message: string,
  details: { position?: number; configKey?: string } = {},
): ElementRequestError {
  return new ElementRequestError(`${MAXIMIZER_KEY}: ${message}`, {
    elementKey: MAXIMIZER_KEY,
    operation: 'hub-request',
    ...details,
  });
}

export function resolveResource(hub: string, resourceName: string): MaximizerResource {
  if (hub !== MAXIMIZER_HUB) {
    throw requestError(`unknown hub '${hub}'; ${MAXIMIZER_KEY} serves /hubs/${MAXIMIZER_HUB}`);
  }
  const resource = Object.hasOwn(MAXIMIZER_RESOURCES, resourceName)
    ? MAXIMIZER_RESOURCES[resourceName]
    : undefined;
  if (resource === undefined) {
    throw requestError(
      `unknown resource '${resourceName}'; known resources: ${Object.keys(MAXIMIZER_RESOURCES).join(', ')}`,
    );
  }
  return resource;
}

function resolvePageSize(
  requested: number | undefined,
  fromUrl: string | undefined,
  warnings: string[],
): number {
  let pageSize = MAXIMIZER_DEFAULT_PAGE_SIZE;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1)
      throw requestError(`pageSize must be a positive integer`);
    pageSize = requested;
  } else if (fromUrl !== undefined) {
    const parsed = Number(fromUrl.trim());
    if (Number.isInteger(parsed) && parsed >= 1) {
      pageSize = parsed;
    } else {
      warnings.push(`Ignored pageSize=${JSON.stringify(fromUrl)}: not a positive integer`);
    }
  }
  if (pageSize > MAXIMIZER_MAX_PAGE_SIZE) {
    warnings.push(`pageSize ${pageSize} lowered to Maximizer's maximum of ${MAXIMIZER_MAX_PAGE_SIZE}`);
    pageSize = MAXIMIZER_MAX_PAGE_SIZE;
  }
  return pageSize;
}

function withCeqlErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CeqlSyntaxError) throw requestError(error.message, { position: error.position });
    throw error;
  }
}

/** Parses and translates the URL; with a page token, the plan of that page (`withPageToken`). */
export function planMaximizerHubRequest(input: HubRequestPlanInput): HubRequestPlan {
  return withPageToken(planFirstPage(input.url, input.pageSize), input.pageToken);
}

/** The plan of a later page: the first page's Read with the page token as its PageKey. Everything else
 * (criteria, ordering, scope, page size) is the same for every page, so a poll plans its URL once. */
export function withPageToken(plan: HubRequestPlan, pageToken: string | undefined): HubRequestPlan {
  if (pageToken === undefined || pageToken === '') return plan;
  const { entity } = resolveResource(MAXIMIZER_HUB, plan.resource);
  const body = plan.body as Record<string, OctopusReadBody>;
  const readBody = body[entity];
  if (readBody === undefined) throw new Error(`${MAXIMIZER_KEY}: the plan has no ${entity} Read`);
  return { ...plan, body: { [entity]: { ...readBody, PageKey: pageToken } } };
}

export function planFirstPage(url: string, pageSize: number | undefined): HubRequestPlan {
  let parsedUrl;
  try {
    parsedUrl = parseHubUrl(url);
  } catch (error) {
    if (error instanceof HubUrlError) throw requestError(error.message);
    throw error;
  }
  const warnings = [...parsedUrl.warnings];
  const resource = resolveResource(parsedUrl.hub, parsedUrl.resource);
  const parameters = parsedUrl.parameters;
  for (const name of parameters.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) warnings.push(`Ignored unknown query parameter '${name}'`);
  }
  if (parameters.has('page') || parameters.has('nextPage')) {
    warnings.push(`Ignored 'page'/'nextPage' in the URL: paging uses the page token`);
  }

  const where = parameters.get('where');
  const parsedWhere =
    where === undefined
      ? { expression: undefined, warnings: [] }
      : withCeqlErrors(() => parseCeqlWhere(where));
  warnings.push(...parsedWhere.warnings);

  const orderByParameter = parameters.get('orderBy');
  const requestedOrder: CeqlOrderField[] | undefined =
    orderByParameter === undefined || orderByParameter.trim() === ''
      ? undefined
      : withCeqlErrors(() => parseCeqlOrderBy(orderByParameter));

  const fieldsParameter = parameters.get('fields');
  const requestedFields =
    fieldsParameter === undefined ? [] : withCeqlErrors(() => parseCeqlFields(fieldsParameter));
  const ordering = orderingFor(resource, parsedWhere.expression, requestedOrder);
  let scopeFields: Record<string, 1>;
  if (requestedFields.length === 0) {
    scopeFields = { '*': 1 };
  } else {
    // The poller needs the id and the dates to classify events, and ordering fields to page.
    const needed = [
      resource.idField,
      ...resource.dateFields,
      ...ordering.flatMap((entry) => Object.keys(entry)),
    ];
    scopeFields = Object.fromEntries([...requestedFields, ...needed].map((field) => [field, 1] as const));
  }

  const searchQuery = combineCriteria(resource, parsedWhere.expression);
  const readBody: OctopusReadBody = {
    Scope: { Fields: scopeFields },
    ...(searchQuery === undefined ? {} : { Criteria: { SearchQuery: searchQuery } }),
    OrderBy: { Fields: ordering },
    PageSize: resolvePageSize(pageSize, parameters.get('pageSize'), warnings),
  };
  return {
    resource: resource.name,
    method: 'POST',
    path: '/octopus/Read',
    body: { [resource.entity]: readBody },
    warnings,
  };
}

/**
 * The id listing of a reconciliation: the resource of the poll URL, read whole — no where clause (a
 * listing filtered like the poll could miss records that still exist), only the id field in scope, in id
 * order, at the largest page size. The resource's fixed criteria still apply (they define the resource).
 */
export function planMaximizerIdListing(input: { url: string; pageSize?: number }): HubRequestPlan {
  let parsedUrl;
  try {
    parsedUrl = parseHubUrl(input.url);
  } catch (error) {
    if (error instanceof HubUrlError) throw requestError(error.message);
    throw error;
  }
  const resource = resolveResource(parsedUrl.hub, parsedUrl.resource);
  const warnings: string[] = [];
  const searchQuery = combineCriteria(resource, undefined);
  const readBody: OctopusReadBody = {
    Scope: { Fields: { [resource.idField]: 1 } },
    ...(searchQuery === undefined ? {} : { Criteria: { SearchQuery: searchQuery } }),
    OrderBy: { Fields: [{ [resource.idField]: 'ASC' }] },
    PageSize: resolvePageSize(input.pageSize ?? MAXIMIZER_MAX_PAGE_SIZE, undefined, warnings),
  };
  return {
    resource: resource.name,
    method: 'POST',
    path: '/octopus/Read',
    body: { [resource.entity]: readBody },
    warnings,
  };
}
