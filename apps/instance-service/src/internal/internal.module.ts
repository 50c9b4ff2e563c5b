import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module';
import { OAuthModule } from '../oauth/oauth.module';
import { TenantsModule } from '../tenants/tenants.module';
import { InternalController } from './internal.controller';
import { ServiceTokenGuard } from './service-token.guard';

@Module({
  imports: [TenantsModule, InstancesModule, OAuthModule],
  controllers: [InternalController],
  providers: [ServiceTokenGuard],
})
export class InternalModule {}
