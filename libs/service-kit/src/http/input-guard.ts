import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestValidationError } from './errors';
import { findUnstorableText, unstorableTextReason } from './stored-text';

/**
 * Refuses, on every route of every service, a request whose path parameters, query or JSON body hold
 * text PostgreSQL cannot store (U+0000, lone surrogates): 400 naming each field, before any guard,
 * pipe or handler sees it. One rule here rather than a check in every use case that reaches SQL.
 * Registered globally by ServiceKitModule, so it runs before the routes' authentication guards.
 */
@Injectable()
export class StorableInputGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const problems = [
      // Path parameters and query names are reported as the client wrote them (`id`, `tags[]`).
      ...Object.entries((request.params ?? {}) as Record<string, unknown>).flatMap(([name, value]) =>
        findUnstorableText(value, name),
      ),
      ...Object.entries((request.query ?? {}) as Record<string, unknown>).flatMap(([name, value]) =>
        unstorableTextReason(name) === undefined
          ? findUnstorableText(Array.isArray(value) ? value.join('') : value, name)
          : [{ path: '(query)', message: `a parameter name ${unstorableTextReason(name) ?? ''}` }],
      ),
      ...findUnstorableText(request.body, ''),
    ];
    if (problems.length > 0) {
      throw new RequestValidationError(
        `Invalid request: ${problems.map((problem) => `${problem.path || '(body)'}: ${problem.message}`).join('; ')}`,
        problems.map((problem) => ({ ...problem, path: problem.path || '(body)' })),
      );
    }
    return true;
  }
}
