import { sqlMigration } from '@pollcast/service-kit';

/** Tombstones: an object whose last event was DELETED keeps its row with `deleted`, so a second report
 * of the deletion is a duplicate and a record seen again is CREATED again. */
export const ObjectTombstones1764900000000 = sqlMigration('ObjectTombstones1764900000000', {
  up: [`ALTER TABLE object_state ADD COLUMN deleted boolean NOT NULL DEFAULT false`],
  down: ['ALTER TABLE object_state DROP COLUMN deleted'],
});
