import { sqlMigration } from '@pollcast/service-kit';

/** The token of a notification's current claim: a fresh uuid per claim, and every completion or deferral
 * is conditional on it, so a replica that wakes after its lease was taken over writes nothing
 * (docs/reliability.md, fencing). Rows written before it have none, and are claimed anew. */
export const NotificationLeaseToken1796300000000 = sqlMigration('NotificationLeaseToken1796300000000', {
  up: [`ALTER TABLE notifications ADD COLUMN IF NOT EXISTS lease_token uuid`],
  down: [`ALTER TABLE notifications DROP COLUMN IF EXISTS lease_token`],
});
