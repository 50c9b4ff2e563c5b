import { sqlMigration } from '@pollcast/service-kit';

/** The W3C traceparent a notification's delivery continues: the trace context crosses the dispatcher's
 * own database hop (consumer writes, worker delivers) here, as it crosses Kafka in headers. */
export const NotificationTraceparent1796083200000 = sqlMigration('NotificationTraceparent1796083200000', {
  up: [`ALTER TABLE notifications ADD COLUMN IF NOT EXISTS traceparent text`],
  down: [`ALTER TABLE notifications DROP COLUMN IF EXISTS traceparent`],
});
