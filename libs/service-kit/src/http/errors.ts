import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * The one list of error codes every Pollcast HTTP API answers with (`code` in the body), one spelling:
 * SCREAMING_SNAKE_CASE. Clients branch on `code`, never on `message`, which is for people.
 */
export enum ErrorCode {
  /** 400: the input breaks a rule; `errors` names every field. */
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  /** 400: the body is not JSON. */
  MALFORMED_JSON = 'MALFORMED_JSON',
  /** 401: Authorization (or the internal service token) missing, malformed or wrong. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** 403: authenticated, but these credentials may not do this (an Element token outside its instance). */
  FORBIDDEN = 'FORBIDDEN',
  /** 404: missing, or another organization's (the same answer). */
  NOT_FOUND = 'NOT_FOUND',
  /** 405 and other refused methods or media types. */
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  /** 409: the resource changed meanwhile; retry. */
  CONFLICT = 'CONFLICT',
  /** 409: poll now on an instance that is not polling. */
  NOT_POLLING = 'NOT_POLLING',
  /** 409: the provider refused a token refresh; the instance needs a new authorization (`valid: false`). */
  CREDENTIALS_INVALID = 'CREDENTIALS_INVALID',
  /** 413: the body is over the JSON parser's limit. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** 429: the organization's rate limit; see Retry-After. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** 503: instance-service, which verifies credentials for the other APIs, does not answer. */
  AUTH_UNAVAILABLE = 'AUTH_UNAVAILABLE',
  /** 502/503: the provider failed or cannot be reached. */
  PROVIDER_UNAVAILABLE = 'PROVIDER_UNAVAILABLE',
  /** 503: the provider is rate limiting us; see Retry-After. */
  PROVIDER_RATE_LIMITED = 'PROVIDER_RATE_LIMITED',
  /** 504: the provider did not answer in time. */
  PROVIDER_TIMEOUT = 'PROVIDER_TIMEOUT',
  /** 500: a bug; quote the requestId. */
  INTERNAL = 'INTERNAL',
}

export interface ErrorItem {
  path: string;
  message: string;
}

/** The one error body every Pollcast HTTP API answers with; `errors` is empty unless input was refused. */
export interface ErrorBody {
  requestId: string;
  code: ErrorCode;
  message: string;
  errors: ErrorItem[];
}

/** A domain error with a stable code; the status says how HTTP shows it. `details` are extra body
 * fields a documented answer carries beside the usual ones (the internal 409's `valid: false`). */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly headers: Record<string, string> = {},
    readonly errors: ErrorItem[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Bad input: 400 (`VALIDATION_FAILED`) with every problem and its JSON path. */
export class RequestValidationError extends DomainError {
  constructor(message: string, errors: ErrorItem[], status: number = HttpStatus.BAD_REQUEST) {
    super(ErrorCode.VALIDATION_FAILED, message, status, {}, errors);
  }
}

/** The code of an answer that did not come from a DomainError (Nest's own exceptions, body-parser). */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.VALIDATION_FAILED;
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.CONFLICT;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 502:
    case 503:
      return ErrorCode.PROVIDER_UNAVAILABLE;
    case 504:
      return ErrorCode.PROVIDER_TIMEOUT;
    default:
      return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.METHOD_NOT_ALLOWED;
  }
}

/** PostgreSQL's SQLSTATE of a failed query (pg's DatabaseError, or TypeORM's QueryFailedError around it). */
function sqlStateOf(exception: unknown): string | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const driverError = (exception as { driverError?: unknown }).driverError;
  const source = typeof driverError === 'object' && driverError !== null ? driverError : exception;
  const code = (source as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Class 22 (data exception: bad encoding, out-of-range date or number, …) and 54000 (a value too large
 * to index) come from the request's values, not from the server: a 400, never a 500. The input
 * checks catch the known shapes with the field named; this is the net under them. */
function isDataError(sqlState: string | undefined): boolean {
  return sqlState !== undefined && (sqlState.startsWith('22') || sqlState === '54000');
}

function requestIdOf(request: Request): string {
  const id = (request as Request & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : 'unknown';
}

/** Maps everything thrown to `{requestId, code, message, errors}`; internals never leak, no input yields a 500. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = requestIdOf(request);
    const { status, headers, ...answer } = this.describe(exception);
    if (isDataError(sqlStateOf(exception))) {
      this.logger.warn({ err: exception, requestId, path: request.path }, 'input refused by PostgreSQL');
    }
    if (status >= 500) this.logger.error({ err: exception, requestId, path: request.path }, 'request failed');
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    // pino-http sets x-request-id when it assigns the id; this keeps the two equal for any other path.
    if (!response.headersSent && !response.hasHeader('x-request-id'))
      response.setHeader('x-request-id', requestId);
    const body: ErrorBody & Record<string, unknown> = {
      ...answer.details,
      requestId,
      code: answer.code,
      message: answer.message,
      errors: answer.errors,
    };
    response.status(status).json(body);
  }

  private describe(exception: unknown): {
    status: number;
    code: ErrorCode;
    message: string;
    errors: ErrorItem[];
    headers: Record<string, string>;
    details?: Record<string, unknown>;
  } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        errors: exception.errors,
        headers: exception.headers,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string'
          ? payload
          : typeof payload === 'object' && payload !== null && 'message' in payload
            ? String(payload.message)
            : exception.message;
      const status = exception.getStatus();
      return { status, code: errorCodeForStatus(status), message, errors: [], headers: {} };
    }
    // body-parser's errors carry a status and a type (malformed JSON, too large, bad charset).
    if (typeof exception === 'object' && exception !== null && 'type' in exception && 'status' in exception) {
      const status = Number((exception as { status: unknown }).status);
      const type = String((exception as { type: unknown }).type);
      if (status >= 400 && status < 500) {
        const fail = (code: ErrorCode, message: string) => ({
          status,
          code,
          message,
          errors: [],
          headers: {},
        });
        if (type === 'entity.parse.failed') {
          return fail(
            ErrorCode.MALFORMED_JSON,
            `The request body is not valid JSON: ${(exception as unknown as Error).message}`,
          );
        }
        if (type === 'entity.too.large')
          return fail(ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is too large');
        return fail(errorCodeForStatus(status), (exception as unknown as Error).message);
      }
    }
    if (isDataError(sqlStateOf(exception))) {
      return {
        status: HttpStatus.BAD_REQUEST,
        code: ErrorCode.VALIDATION_FAILED,
        message: 'A value in the request cannot be stored (encoding, range or size)',
        errors: [],
        headers: {},
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.INTERNAL,
      message: 'Internal error; quote the requestId when reporting it',
      errors: [],
      headers: {},
    };
  }
}
