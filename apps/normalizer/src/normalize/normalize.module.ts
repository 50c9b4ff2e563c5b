import { Module } from '@nestjs/common';
import { PublishModule } from '../publish/publish.module';
import { StateModule } from '../state/state.module';
import { NormalizeRawChanges } from './normalize-raw-changes.use-case';

@Module({
  imports: [StateModule, PublishModule],
  providers: [NormalizeRawChanges],
  exports: [NormalizeRawChanges],
})
export class NormalizeModule {}
