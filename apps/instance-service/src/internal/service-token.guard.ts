import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { Request } from 'express';
import { constantTimeEquals } from '../crypto/secret-hash';
import type { Env } from '../env';
import { ENV } from '../tokens';

export const SERVICE_TOKEN_HEADER = 'x-pollcast-service-token';

/** Internal endpoints: only services holding POLLCAST_SERVICE_TOKEN (compared in constant time). */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(@Inject(ENV) private readonly env: Env) {}

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<Request>().headers[SERVICE_TOKEN_HEADER];
    if (typeof given !== 'string' || given === '') {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Missing X-Pollcast-Service-Token header', 401);
    }
    if (!constantTimeEquals(given, this.env.POLLCAST_SERVICE_TOKEN)) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Wrong X-Pollcast-Service-Token', 401);
    }
    return true;
  }
}
