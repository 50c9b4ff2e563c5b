import { sqlMigration } from '@pollcast/service-kit';

/** Attempts of one instance by time, for the delivery charts (GET …/delivery-stats). */
export const DeliveryAttemptsInstanceIndex1796200000000 = sqlMigration(
  'DeliveryAttemptsInstanceIndex1796200000000',
  {
    up: [
      `CREATE INDEX delivery_attempts_instance_attempted ON delivery_attempts (instance_id, attempted_at)`,
    ],
    down: [`DROP INDEX IF EXISTS delivery_attempts_instance_attempted`],
  },
);
