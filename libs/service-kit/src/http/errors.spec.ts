import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { GlobalExceptionFilter } from './errors';

function answer(exception: unknown): { status: number; body: unknown; logged: string[] } {
  const logged: string[] = [];
  const logger = {
    warn: (_: unknown, message: string) => logged.push(`warn ${message}`),
    error: (_: unknown, message: string) => logged.push(`error ${message}`),
  } as unknown as Logger;
  const result = { status: 0, body: undefined as unknown, logged };
  const response = {
    headersSent: false,
    hasHeader: () => false,
    setHeader: () => undefined,
    status(code: number) {
      result.status = code;
      return this;
    },
    json(body: unknown) {
      result.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', path: '/x' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new GlobalExceptionFilter(logger).catch(exception, host);
  return result;
}

describe('GlobalExceptionFilter', () => {
  it('answers a PostgreSQL data exception (class 22, 54000) with 400, never 500, and logs it at warn', () => {
    for (const code of ['22021', '22P05', '22008', '22007', '54000']) {
      // TypeORM wraps pg's error; pg's own error carries the code directly.
      for (const exception of [
        { driverError: { code }, message: 'x' },
        Object.assign(new Error('x'), { code }),
      ]) {
        expect(answer(exception)).toMatchObject({
          status: 400,
          body: { requestId: 'req-1', message: expect.stringMatching(/cannot be stored/) },
          logged: ['warn input refused by PostgreSQL'],
        });
      }
    }
  });

  it('keeps 500 for other database errors and for anything unknown', () => {
    expect(answer({ driverError: { code: '57P01' } }).status).toBe(500);
    expect(answer(new Error('boom'))).toMatchObject({ status: 500, logged: ['error request failed'] });
  });
});
