import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

export interface ErrorItem {
  path: string;
  message: string;
}

/** The one error body every Pollcast HTTP API answers with. */
export interface ErrorBody {
  requestId: string;
  message: string;
  errors?: ErrorItem[];
}

/** Bad input: 400 with every problem and its JSON path. */
export class RequestValidationError extends Error {
  constructor(
    message: string,
    readonly errors: ErrorItem[],
    readonly status: number = HttpStatus.BAD_REQUEST,
  ) {
    super(message);
  }
}

/** A domain error with a stable code; the status says how HTTP shows it. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
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

/** Maps everything thrown to `{requestId, message, errors?}`; internals never leak, no input yields a 500. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = requestIdOf(request);
    const { status, body, headers } = this.describe(exception, requestId);
    if (isDataError(sqlStateOf(exception))) {
      this.logger.warn({ err: exception, requestId, path: request.path }, 'input refused by PostgreSQL');
    }
    if (status >= 500) this.logger.error({ err: exception, requestId, path: request.path }, 'request failed');
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(
    exception: unknown,
    requestId: string,
  ): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof RequestValidationError) {
      return {
        status: exception.status,
        body: { requestId, message: exception.message, errors: exception.errors },
        headers: {},
      };
    }
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { requestId, message: exception.message },
        headers: exception.headers,
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
      return { status: exception.getStatus(), body: { requestId, message }, headers: {} };
    }
    // body-parser's errors carry a status and a type (malformed JSON, too large, bad charset).
    if (typeof exception === 'object' && exception !== null && 'type' in exception && 'status' in exception) {
      const status = Number((exception as { status: unknown }).status);
      const type = String((exception as { type: unknown }).type);
      if (status >= 400 && status < 500) {
        const message =
          type === 'entity.parse.failed'
            ? `The request body is not valid JSON: ${(exception as unknown as Error).message}`
            : type === 'entity.too.large'
              ? 'The request body is too large'
              : (exception as unknown as Error).message;
        return { status, body: { requestId, message }, headers: {} };
      }
    }
    if (isDataError(sqlStateOf(exception))) {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { requestId, message: 'A value in the request cannot be stored (encoding, range or size)' },
        headers: {},
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { requestId, message: 'Internal error; quote the requestId when reporting it' },
      headers: {},
    };
  }
}
