import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { TenantsModule } from '../tenants/tenants.module';
import { InstancesController } from './instances.controller';
import { InstancesService } from './instances.service';

@Module({
  imports: [TenantsModule, OutboxModule],
  controllers: [InstancesController],
  providers: [InstancesService],
  exports: [InstancesService],
})
export class InstancesModule {}
