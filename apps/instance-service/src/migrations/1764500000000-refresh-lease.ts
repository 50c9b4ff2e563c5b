import { sqlMigration } from '@pollcast/service-kit';

/**
 * A refresh lease per instance: the replica that takes it calls the provider with no transaction open
 * (a slow provider must not hold a connection or a row lock); the others wait for its result. A lease
 * left by a crashed replica runs out on its own.
 */
export const RefreshLease1764500000000 = sqlMigration('RefreshLease1764500000000', {
  up: [`ALTER TABLE instance_credentials ADD COLUMN refresh_lease_until timestamptz`],
  down: [`ALTER TABLE instance_credentials DROP COLUMN IF EXISTS refresh_lease_until`],
});
