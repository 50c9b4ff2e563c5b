import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module';
import { TenantsModule } from '../tenants/tenants.module';
import { BuildOAuthUrl } from './build-oauth-url.use-case';
import { IssueAccessToken } from './issue-access-token.use-case';
import { ElementsController } from './elements.controller';

@Module({
  imports: [TenantsModule, InstancesModule],
  controllers: [ElementsController],
  providers: [BuildOAuthUrl, IssueAccessToken],
  exports: [IssueAccessToken],
})
export class OAuthModule {}
