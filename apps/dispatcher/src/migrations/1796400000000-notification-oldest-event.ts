import { sqlMigration } from '@pollcast/service-kit';

/** A notification's oldest event date, written with the row: claiming it no longer looks its events up
 * (a subquery per claimed row) to start the delivery-latency clock. */
export const NotificationOldestEvent1796400000000 = sqlMigration('NotificationOldestEvent1796400000000', {
  up: [`ALTER TABLE notifications ADD COLUMN IF NOT EXISTS oldest_event_at timestamptz`],
  down: [`ALTER TABLE notifications DROP COLUMN IF EXISTS oldest_event_at`],
});
