import { sqlMigration } from '@pollcast/service-kit';

/**
 * Every committed change of an instance row (and of a user, whose email an instance read shows) is
 * announced with NOTIFY, so each replica can drop what its read cache holds of it. A trigger rather than
 * a NOTIFY in each use case: no write path can forget it, hand-made SQL included. PostgreSQL delivers the
 * notification at commit, and never for a rolled-back change. The payload is `<schema>:<op>:<id>`
 * (op I, U or D) or `<schema>:*` (forget everything); the schema keeps deployments that share a database
 * apart, as the channel is database-wide.
 */
export const InstanceChangeNotify1796600000000 = sqlMigration('InstanceChangeNotify1796600000000', {
  up: [
    `CREATE FUNCTION notify_instance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'DELETE' THEN
         PERFORM pg_notify('pollcast_instances_changed', TG_TABLE_SCHEMA || ':D:' || OLD.id);
       ELSE
         PERFORM pg_notify('pollcast_instances_changed', TG_TABLE_SCHEMA || ':' || left(TG_OP, 1) || ':' || NEW.id);
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER instances_notify_changed AFTER INSERT OR UPDATE OR DELETE ON instances
     FOR EACH ROW EXECUTE FUNCTION notify_instance_changed()`,
    `CREATE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('pollcast_instances_changed', TG_TABLE_SCHEMA || ':*');
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE ON users
     FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed()`,
  ],
  down: [
    `DROP TRIGGER IF EXISTS users_notify_changed ON users`,
    `DROP FUNCTION IF EXISTS notify_users_changed()`,
    `DROP TRIGGER IF EXISTS instances_notify_changed ON instances`,
    `DROP FUNCTION IF EXISTS notify_instance_changed()`,
  ],
});
