// CEQL → Octopus Read, and Octopus / OAuth responses → data or ProviderError.
import { z } from 'zod';
import { providerRecordSchema } from '@pollcast/contracts';
import { ceqlConditions, type CeqlExpression, type CeqlOrderField } from '../ceql/ceql';
import { kindForStatus, parseRetryAfter, ProviderError, redactSecrets } from '../errors';
import type { HttpResponse } from '../http';
import { MAXIMIZER_KEY, type MaximizerResource } from './definition';

export type OctopusCriterion = Record<string, unknown>;

const OCTOPUS_OPERATORS = {
  '=': '$EQ',
  '!=': '$NE',
  '<': '$LT',
  '>': '$GT',
  '<=': '$LE',
  '>=': '$GE',
  LIKE: '$LIKE',
} as const;

export function toSearchQuery(expression: CeqlExpression): OctopusCriterion {
  switch (expression.type) {
    case 'and':
    case 'or': {
      const operator = expression.type === 'and' ? '$AND' : '$OR';
      // (a AND b) AND c is one $AND: flatter queries read better and the server need not recurse.
      const operands = expression.operands.flatMap((operand) =>
        operand.type === expression.type ? operand.operands : [operand],
      );
      return { [operator]: operands.map(toSearchQuery) };
    }
    case 'comparison':
      return { [expression.field]: { [OCTOPUS_OPERATORS[expression.operator]]: expression.value } };
    case 'in':
      return { [expression.field]: { $IN: [...expression.values] } };
    case 'null-check':
      return { [expression.field]: { [expression.negated ? '$NE' : '$EQ']: null } };
  }
}

/** Resource criteria AND the where clause, as one SearchQuery (undefined = everything). */
export function combineCriteria(
  resource: MaximizerResource,
  expression: CeqlExpression | undefined,
): OctopusCriterion | undefined {
  const userQuery = expression === undefined ? undefined : toSearchQuery(expression);
  if (resource.fixedCriteria === undefined) return userQuery;
  if (userQuery === undefined) return { ...resource.fixedCriteria };
  const userOperands = expression?.type === 'and' ? (userQuery['$AND'] as OctopusCriterion[]) : [userQuery];
  return { $AND: [{ ...resource.fixedCriteria }, ...userOperands] };
}

/**
 * Ordering for stable paging: the requested one, else the date field the where clause filters on
 * (ASC, so a poll walks forward in time); always ending with the id field as tie-breaker.
 */
export function orderingFor(
  resource: MaximizerResource,
  expression: CeqlExpression | undefined,
  requested: readonly CeqlOrderField[] | undefined,
): Record<string, 'ASC' | 'DESC'>[] {
  let ordering: CeqlOrderField[];
  if (requested !== undefined && requested.length > 0) {
    ordering = [...requested];
  } else {
    const dateField = ceqlConditions(expression)
      .map((condition) => condition.field)
      .find((field) => resource.dateFields.includes(field));
    ordering = dateField === undefined ? [] : [{ field: dateField, direction: 'ASC' }];
  }
  if (!ordering.some((entry) => entry.field === resource.idField)) {
    ordering.push({ field: resource.idField, direction: 'ASC' });
  }
  return ordering.map((entry) => ({ [entry.field]: entry.direction }));
}

export interface OctopusReadBody {
  readonly Scope: { readonly Fields: Record<string, 1> };
  readonly Criteria?: { readonly SearchQuery: OctopusCriterion };
  readonly OrderBy: { readonly Fields: Record<string, 'ASC' | 'DESC'>[] };
  readonly PageSize: number;
  readonly PageKey?: string;
}

// --- responses -------------------------------------------------------------------------------

const octopusEnvelopeSchema = z.looseObject({
  Code: z.number(),
  Msg: z.union([z.array(z.string()), z.string()]).optional(),
});

const octopusPageSchema = z.looseObject({
  Data: z.array(providerRecordSchema),
  PageKey: z.string().nullish(),
});

const oauthTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
});

const oauthErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});

export interface ResponseContext {
  readonly operation: string;
  readonly secrets: readonly (string | undefined)[];
  readonly nowMs: number;
}

function messageText(message: string[] | string | undefined): string | undefined {
  if (message === undefined) return undefined;
  return Array.isArray(message) ? message.join('; ') : message;
}

/** Longest provider message passed on (tenants read it in 400/502 answers and lastError). */
export const PROVIDER_MESSAGE_LIMIT = 200;

/**
 * The provider's documented message (Octopus `Msg`, OAuth `error_description`/`error`), compacted and
 * capped. A raw body is never quoted: whatever answers at the configured URL could be anything.
 */
function capped(message: string): string {
  const compact = message.replace(/\s+/g, ' ').trim();
  return compact.length > PROVIDER_MESSAGE_LIMIT ? `${compact.slice(0, PROVIDER_MESSAGE_LIMIT)}…` : compact;
}

function parseJson(bodyText: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(bodyText) as unknown };
  } catch {
    return { ok: false };
  }
}

function providerError(
  context: ResponseContext,
  summary: string,
  details: Omit<ConstructorParameters<typeof ProviderError>[1], 'elementKey' | 'operation'>,
): ProviderError {
  const providerMessage =
    details.providerMessage === undefined || details.providerMessage.trim() === ''
      ? undefined
      : capped(redactSecrets(details.providerMessage, context.secrets));
  const message = redactSecrets(
    `${MAXIMIZER_KEY} ${context.operation}: ${summary}${providerMessage === undefined ? '' : `: ${providerMessage}`}`,
    context.secrets,
  );
  return new ProviderError(message, {
    ...details,
    providerMessage,
    elementKey: MAXIMIZER_KEY,
    operation: context.operation,
  });
}

/** A non-2xx status, whatever the endpoint. */
function httpFailure(response: HttpResponse, context: ResponseContext): ProviderError {
  const kind = kindForStatus(response.status);
  const parsed = parseJson(response.bodyText);
  let providerMessage: string | undefined;
  let providerCode: number | undefined;
  let oauthError: string | undefined;
  if (parsed.ok) {
    const envelope = octopusEnvelopeSchema.safeParse(parsed.value);
    const oauth = oauthErrorSchema.safeParse(parsed.value);
    if (envelope.success) {
      providerCode = envelope.data.Code;
      providerMessage = messageText(envelope.data.Msg);
    } else if (oauth.success) {
      oauthError = oauth.data.error;
      providerMessage = oauth.data.error_description ?? oauth.data.error;
    }
  }
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], context.nowMs);
  const retryNote = retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`;
  return providerError(context, `HTTP ${response.status}${retryNote}`, {
    kind,
    status: response.status,
    providerCode,
    providerMessage,
    oauthError,
    retryAfterMs,
  });
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function malformed(response: HttpResponse, context: ResponseContext, what: string): ProviderError {
  return providerError(context, `HTTP ${response.status} with ${what}`, {
    kind: 'retryable',
    status: response.status,
  });
}

/** Octopus Read response → records and next PageKey, or the ProviderError describing it. */
export function interpretReadResponse(
  response: HttpResponse,
  entity: string,
  context: ResponseContext,
): { records: Record<string, unknown>[]; pageKey: string | undefined } {
  if (!isSuccess(response.status)) throw httpFailure(response, context);
  const parsed = parseJson(response.bodyText);
  if (!parsed.ok) throw malformed(response, context, 'a body that is not JSON');
  const envelope = octopusEnvelopeSchema.safeParse(parsed.value);
  if (!envelope.success) throw malformed(response, context, 'a JSON body without a numeric Code');
  if (envelope.data.Code < 0) {
    const providerMessage = messageText(envelope.data.Msg);
    // The wire doc says a bad token is HTTP 401; real Octopus servers have been seen answering 200
    // with this message, which refreshing fixes just the same.
    const tokenProblem =
      providerMessage !== undefined && /invalid token|token (has )?expired/i.test(providerMessage);
    throw providerError(context, `Code ${envelope.data.Code}`, {
      kind: tokenProblem ? 'unauthorized' : 'permanent',
      status: response.status,
      providerCode: envelope.data.Code,
      providerMessage,
    });
  }
  const page = octopusPageSchema.safeParse(envelope.data[entity]);
  if (!page.success) throw malformed(response, context, `no valid ${entity}.Data in the body`);
  const pageKey = page.data.PageKey ?? undefined;
  return { records: page.data.Data, pageKey: pageKey === '' ? undefined : pageKey };
}

export interface TokenResponse {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
}

/** OAuth token endpoint response → tokens, or the ProviderError describing it. */
export function interpretTokenResponse(response: HttpResponse, context: ResponseContext): TokenResponse {
  if (!isSuccess(response.status)) {
    const failure = httpFailure(response, context);
    // At the token endpoint a 401 means the client credentials are wrong (invalid_client):
    // refreshing a token cannot fix that, so it must not read as 'unauthorized'.
    if (failure.kind !== 'unauthorized') throw failure;
    throw new ProviderError(failure.message, {
      kind: 'permanent',
      elementKey: failure.elementKey,
      operation: failure.operation,
      status: failure.status,
      providerMessage: failure.providerMessage,
      oauthError: failure.oauthError ?? 'invalid_client',
    });
  }
  const parsed = parseJson(response.bodyText);
  if (!parsed.ok) throw malformed(response, context, 'a body that is not JSON');
  const tokens = oauthTokenSchema.safeParse(parsed.value);
  if (!tokens.success) {
    throw malformed(response, context, 'a token response lacking access_token / expires_in');
  }
  return {
    accessToken: tokens.data.access_token,
    refreshToken: tokens.data.refresh_token,
    expiresInSeconds: tokens.data.expires_in,
  };
}
