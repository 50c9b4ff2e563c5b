import { ApiProperty, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from './errors';

export class ErrorItemDto {
  @ApiProperty({ description: 'JSON path of the field (body), or the parameter name', example: 'pageSize' })
  path!: string;
  @ApiProperty({ example: 'must be an integer from 1 to 200' }) message!: string;
}

/** The one error body every Pollcast HTTP API answers with (see ErrorBody in errors.ts). */
export class ErrorBodyDto {
  @ApiProperty({
    description: 'Quote it when reporting a problem; also in the x-request-id header',
    example: '5f0c8a8e-6f1e-4b8e-9a43-2a7c1d9e0b11',
  })
  requestId!: string;
  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    description: 'What went wrong, for programs: one of a fixed list (branch on it, not on message)',
    example: ErrorCode.VALIDATION_FAILED,
  })
  code!: ErrorCode;
  @ApiProperty({ example: 'Invalid query: pageSize: must be an integer from 1 to 200' }) message!: string;
  @ApiProperty({ type: [ErrorItemDto], description: 'Every problem of a 400 with its path; empty otherwise' })
  errors!: ErrorItemDto[];
}

export interface CommonResponsesOptions {
  /** Paths whose operations are the public API (the others: health, metrics, internal). */
  apiPrefix: string;
  /** The API authenticates through another service, which may be unavailable: 503 + Retry-After. */
  upstreamAuthentication: boolean;
}

type Operation = {
  security?: unknown[];
  responses: Record<string, Record<string, unknown>>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * Declares on every public operation the answers that come from shared machinery rather than from
 * the handler, so no controller can forget them: 400 (StorableInputGuard, validation), 401 and 429
 * (authentication and the organization's rate limit), 404 (a path parameter naming something
 * missing or another organization's), 413 (a body over the JSON parser's limit), 503
 * (authentication upstream unavailable). A status a
 * controller already declares keeps its own description. Every error answer of every operation (these,
 * a controller's own, the internal API's) gets the one ErrorBodyDto schema.
 */
export function addCommonResponses(document: OpenAPIObject, options: CommonResponsesOptions): OpenAPIObject {
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } };
  const error = (description: string, headers?: Record<string, unknown>) => ({
    description,
    content: errorContent,
    ...(headers === undefined ? {} : { headers }),
  });
  const retryAfter = {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Partial<Record<(typeof METHODS)[number], Operation>>)[method];
      if (operation === undefined) continue;
      if (path.startsWith(options.apiPrefix)) addShared(path, operation);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) response['content'] = errorContent;
      }
    }
  }
  return document;

  function addShared(path: string, operation: Operation): void {
    const add = (status: string, response: Record<string, unknown>) => {
      const declared = operation.responses[status];
      if (declared === undefined) operation.responses[status] = response;
      // A controller's own 429 / 503 keeps its description but gets the header it always carries.
      else if (response['headers'] !== undefined) declared['headers'] ??= response['headers'];
    };
    add(
      '400',
      error('Invalid input; `errors` names every field (U+0000 and lone surrogates are refused everywhere)'),
    );
    if (path.includes('{')) add('404', error('Not found (also when it belongs to another organization)'));
    if ((operation as { requestBody?: unknown }).requestBody !== undefined) {
      add('413', error('The request body is larger than 100 kB'));
    }
    if ((operation.security ?? []).length > 0) {
      add('401', error('Missing, malformed, oversized (over 4096 characters) or wrong Authorization'));
      add('429', error("The organization's rate limit; see Retry-After", retryAfter));
      if (options.upstreamAuthentication) {
        add('503', error('Authentication is unavailable right now; see Retry-After', retryAfter));
      }
    }
  }
}
