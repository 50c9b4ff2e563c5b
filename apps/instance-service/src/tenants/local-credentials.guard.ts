import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode, rateLimitedError, RateLimiter } from '@pollcast/service-kit';
import type { Request } from 'express';
import type { Principal } from './principal';
import { Authenticate } from './authenticate.use-case';

const ELEMENT_TOKEN_ALLOWED = Symbol('ELEMENT_TOKEN_ALLOWED');
const PRINCIPAL = Symbol('PRINCIPAL');

/** Marks an instance-scoped route: `User <secret>, Element <instance token>` is accepted there too. */
export const AllowElementToken = (): MethodDecorator => SetMetadata(ELEMENT_TOKEN_ALLOWED, true);

/** The authenticated caller of this request (set by LocalCredentialsGuard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<Request & { [PRINCIPAL]?: Principal }>();
    const principal = request[PRINCIPAL];
    if (principal === undefined)
      throw new Error('CurrentPrincipal used on a route without LocalCredentialsGuard');
    return principal;
  },
);

/** instance-service's own public API: checks the Authorization header's secrets against its own
 * tables (Authenticate, no call out; the other services' APIs use @pollcast/tenant-auth's
 * TenantAuthGuard, which asks instance-service), then takes one token from the organization's rate
 * bucket. */
@Injectable()
export class LocalCredentialsGuard implements CanActivate {
  constructor(
    @Inject(Authenticate) private readonly authenticate: Authenticate,
    @Inject(Reflector) private readonly reflector: Reflector,
    // One limiter per process, shared by every controller's guard instance.
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { [PRINCIPAL]?: Principal }>();
    const principal = await this.authenticate.execute(request.headers.authorization);
    if (
      principal.instanceId !== null &&
      this.reflector.get(ELEMENT_TOKEN_ALLOWED, context.getHandler()) !== true
    ) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        'An Element token only grants access to its own instance; use User and Organization secrets here',
        403,
      );
    }
    const taken = this.limiter.take(principal.organizationId);
    if (!taken.allowed) throw rateLimitedError(taken.retryAfterSeconds);
    request[PRINCIPAL] = principal;
    return true;
  }
}
