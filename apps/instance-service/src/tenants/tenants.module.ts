import { Module } from '@nestjs/common';
import { RateLimiter } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { BootstrapTenant } from './bootstrap-tenant';
import { LocalCredentialsGuard } from './local-credentials.guard';
import { TenantsService } from './tenants.service';

@Module({
  providers: [
    TenantsService,
    LocalCredentialsGuard,
    BootstrapTenant,
    {
      provide: RateLimiter,
      inject: [ENV],
      useFactory: (env: Env) => new RateLimiter(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST),
    },
  ],
  exports: [TenantsService, LocalCredentialsGuard, RateLimiter],
})
export class TenantsModule {}
