import {
  createParamDecorator,
  Inject,
  Injectable,
  Module,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  type BaseEnv,
  DomainError,
  ErrorCode,
  rateLimitedError,
  RateLimiter,
  SERVICE_ENV,
} from '@pollcast/service-kit';
import type { Principal } from '@pollcast/contracts';
import { TenantVerifier, type TenantAuthOptions } from './tenant-verifier';

type AuthenticatedRequest = Request & { principal?: Principal };

/** Guards a controller or route: resolves the caller's tenant, refuses an instance token used on
 * another instance's route (`:id`) with the same 404 as a missing instance, then takes one token from
 * the organization's rate bucket (RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST, as on instance-service). */
@Injectable()
export class TenantAuthGuard implements CanActivate {
  constructor(
    @Inject(TenantVerifier) private readonly verifier: TenantVerifier,
    // One limiter per process, shared by every controller's guard instance.
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.verifier.verify(request.headers.authorization);
    const routeInstanceId = (request.params as Record<string, string | undefined>).id;
    if (
      principal.instanceId !== null &&
      routeInstanceId !== undefined &&
      routeInstanceId !== principal.instanceId
    ) {
      throw new DomainError(ErrorCode.NOT_FOUND, `Instance ${routeInstanceId} not found`, 404);
    }
    const taken = this.limiter.take(principal.organizationId);
    if (!taken.allowed) throw rateLimitedError(taken.retryAfterSeconds);
    request.principal = principal;
    return true;
  }
}

/** The authenticated tenant of the request (use with TenantAuthGuard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new DomainError(ErrorCode.INTERNAL, 'Route is missing TenantAuthGuard', 500);
    return principal;
  },
);

@Module({})
export class TenantAuthModule {
  static forRoot(options: TenantAuthOptions): DynamicModule {
    return {
      module: TenantAuthModule,
      global: true,
      providers: [
        { provide: TenantVerifier, useValue: new TenantVerifier(options) },
        {
          provide: RateLimiter,
          inject: [SERVICE_ENV],
          useFactory: (env: BaseEnv) => new RateLimiter(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST),
        },
        TenantAuthGuard,
      ],
      exports: [TenantVerifier, TenantAuthGuard, RateLimiter],
    };
  }
}
