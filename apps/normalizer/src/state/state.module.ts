import { Module } from '@nestjs/common';
import { ObjectStateStore } from './object-state.store';
import { PostgresObjectStateStore } from './postgres-object-state.store';
import { ObjectStateEntity } from './object-state.entities';
import { ObjectState1764500000000 } from '../migrations/1764500000000-object-state';
import { ObjectTombstones1764900000000 } from '../migrations/1764900000000-object-tombstones';

/** Entities and migrations of the `normalizer` schema, for ServiceKitModule.forService. */
export const normalizerDatabase = {
  schema: 'normalizer',
  entities: [ObjectStateEntity],
  migrations: [ObjectState1764500000000, ObjectTombstones1764900000000],
};

@Module({
  providers: [{ provide: ObjectStateStore, useClass: PostgresObjectStateStore }],
  exports: [ObjectStateStore],
})
export class StateModule {}
