import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AccessTokensService } from './access-tokens.service';
import { ElementsController } from './elements.controller';
import { ElementsService } from './elements.service';

@Module({
  imports: [TenantsModule, InstancesModule],
  controllers: [ElementsController],
  providers: [ElementsService, AccessTokensService],
  exports: [AccessTokensService],
})
export class OAuthModule {}
