import { Module } from '@nestjs/common';
import { RateLimiter } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { BootstrapTenant } from './bootstrap-tenant';
import { TenantAuthGuard } from './tenant-auth.guard';
import { TenantsService } from './tenants.service';

@Module({
  providers: [
    TenantsService,
    TenantAuthGuard,
    BootstrapTenant,
    {
      provide: RateLimiter,
      inject: [ENV],
      useFactory: (env: Env) => new RateLimiter(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST),
    },
  ],
  exports: [TenantsService, TenantAuthGuard, RateLimiter],
})
export class TenantsModule {}
