import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { EnsureBootstrapTenant } from './ensure-bootstrap-tenant.use-case';

/** Development convenience: with both bootstrap secrets set, the "Development" tenant exists at start. */
@Injectable()
export class BootstrapTenant implements OnApplicationBootstrap {
  constructor(
    @Inject(EnsureBootstrapTenant) private readonly ensureBootstrapTenant: EnsureBootstrapTenant,
    @Inject(ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const organizationSecret = this.env.POLLCAST_BOOTSTRAP_ORGANIZATION_SECRET;
    const userSecret = this.env.POLLCAST_BOOTSTRAP_USER_SECRET;
    if (organizationSecret === undefined || userSecret === undefined) return;
    const ids = await this.ensureBootstrapTenant.execute(
      organizationSecret,
      userSecret,
      this.env.POLLCAST_BOOTSTRAP_USER_EMAIL,
    );
    this.logger.info(
      ids,
      'development organization and user are ready (bootstrap secrets from the environment)',
    );
  }
}
