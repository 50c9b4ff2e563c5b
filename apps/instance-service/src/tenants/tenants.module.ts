import { Module } from '@nestjs/common';
import { RateLimiter } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { BootstrapTenant } from './bootstrap-tenant';
import { LocalCredentialsGuard } from './local-credentials.guard';
import { Authenticate } from './authenticate.use-case';
import { CreateOrganization } from './create-organization.use-case';
import { CreateUser } from './create-user.use-case';
import { EnsureBootstrapTenant } from './ensure-bootstrap-tenant.use-case';

@Module({
  providers: [
    Authenticate,
    CreateOrganization,
    CreateUser,
    EnsureBootstrapTenant,
    LocalCredentialsGuard,
    BootstrapTenant,
    {
      provide: RateLimiter,
      inject: [ENV],
      useFactory: (env: Env) => new RateLimiter(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST),
    },
  ],
  exports: [Authenticate, CreateOrganization, CreateUser, LocalCredentialsGuard, RateLimiter],
})
export class TenantsModule {}
