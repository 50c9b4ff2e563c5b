import { sqlMigration } from '@pollcast/service-kit';

/** Finished notifications by age, for the history retention job. */
export const FinishedNotificationsIndex1796000000000 = sqlMigration(
  'FinishedNotificationsIndex1796000000000',
  {
    up: [
      `CREATE INDEX notifications_finished ON notifications (updated_at) WHERE status IN ('DELIVERED', 'FAILED')`,
    ],
    down: [`DROP INDEX IF EXISTS notifications_finished`],
  },
);
