import { HttpStatus, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, GlobalExceptionFilter, RequestValidationError } from './errors';
import { rateLimitedError } from './rate-limiter';

function answer(exception: unknown) {
  const headers: Record<string, string> = {};
  let status = 0;
  let body: unknown;
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    hasHeader: (name: string) => name.toLowerCase() in headers,
    status(code: number) {
      status = code;
      return this;
    },
    json(value: unknown) {
      body = value;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', path: '/x' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  const logger = { warn: () => undefined, error: () => undefined } as unknown as Logger;
  new GlobalExceptionFilter(logger).catch(exception, host);
  return { status, body, headers };
}

describe('GlobalExceptionFilter: one error body {requestId, code, message, errors}', () => {
  it('shows a domain error with its code, status and headers', () => {
    expect(answer(rateLimitedError(3))).toEqual({
      status: 429,
      body: {
        requestId: 'req-1',
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/retry after 3 s/),
        errors: [],
      },
      headers: { 'retry-after': '3', 'x-request-id': 'req-1' },
    });
  });

  it('names every refused field of a validation error, code VALIDATION_FAILED', () => {
    const { status, body } = answer(
      new RequestValidationError('Invalid body', [{ path: 'a.0', message: 'bad' }]),
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      requestId: 'req-1',
      code: ErrorCode.VALIDATION_FAILED,
      message: 'Invalid body',
      errors: [{ path: 'a.0', message: 'bad' }],
    });
  });

  it('keeps documented extra fields beside the usual ones', () => {
    const { body } = answer(
      new DomainError(ErrorCode.NOT_FOUND, 'No element', 404, {}, [], { valid: false }),
    );
    expect(body).toEqual({
      requestId: 'req-1',
      code: 'NOT_FOUND',
      message: 'No element',
      errors: [],
      valid: false,
    });
  });

  it("gives Nest's own exceptions, body-parser's errors and bugs a code by what they are", () => {
    expect(answer(new NotFoundException('Cannot GET /nope')).body).toMatchObject({ code: 'NOT_FOUND' });
    const parseFailure = Object.assign(new SyntaxError('Unexpected token'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(answer(parseFailure)).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON', errors: [] } });
    const tooLarge = Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 });
    expect(answer(tooLarge)).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    const dataError = Object.assign(new Error('invalid byte sequence'), { code: '22021' });
    expect(answer(dataError)).toMatchObject({
      status: HttpStatus.BAD_REQUEST,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(answer(new Error('secret detail'))).toEqual({
      status: 500,
      body: {
        requestId: 'req-1',
        code: 'INTERNAL',
        message: expect.not.stringMatching(/secret/),
        errors: [],
      },
      headers: { 'x-request-id': 'req-1' },
    });
  });
});
