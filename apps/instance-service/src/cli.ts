// `npm run pollcast -- org create --name Acme` / `user create --org <id> --email a@b.c`: creates tenants
// and prints their new secret once (only its hash is stored). Reads the same environment as the service.
import 'reflect-metadata';
import { parseEnv, EnvConfigError, openServiceDatabase } from '@pollcast/service-kit';
import { parseArgs } from 'node:util';
import { createCrypto } from './crypto/crypto.module';
import { envSchema } from './env';
import { INSTANCE_SERVICE_ENTITIES, INSTANCE_SERVICE_MIGRATIONS } from './app.module';
import { CreateOrganization } from './tenants/create-organization.use-case';
import { CreateUser } from './tenants/create-user.use-case';

const USAGE = `usage:
  pollcast org create --name <name>
  pollcast user create --org <organization id> --email <email>`;

async function main(argv: string[]): Promise<number> {
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, org: { type: 'string' }, email: { type: 'string' } },
    strict: true,
  });
  const isOrgCreate = noun === 'org' && verb === 'create';
  const isUserCreate = noun === 'user' && verb === 'create';
  if (!isOrgCreate && !isUserCreate) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (isOrgCreate && (values.name === undefined || values.name.trim() === '')) {
    process.stderr.write(`--name is required\n${USAGE}\n`);
    return 2;
  }
  if (isUserCreate && (values.org === undefined || !/^\d+$/.test(values.org) || values.email === undefined)) {
    process.stderr.write(`--org <numeric id> and --email are required\n${USAGE}\n`);
    return 2;
  }
  const env = parseEnv('pollcast', envSchema);
  const { hasher } = createCrypto(env);
  const dataSource = await openServiceDatabase({
    url: env.DATABASE_URL,
    schema: 'instance',
    entities: INSTANCE_SERVICE_ENTITIES,
    migrations: INSTANCE_SERVICE_MIGRATIONS,
    poolSize: 2,
    applicationName: 'pollcast-cli',
  });
  try {
    if (isOrgCreate) {
      const { organization, secret } = await new CreateOrganization(dataSource, hasher).execute(
        (values.name ?? '').trim(),
      );
      process.stdout.write(
        `organization ${organization.id} "${organization.name}" created\n` +
          `organization secret (shown once, store it now): ${secret}\n`,
      );
    } else {
      const { user, secret } = await new CreateUser(dataSource, hasher).execute(
        values.org ?? '',
        (values.email ?? '').trim(),
      );
      process.stdout.write(
        `user ${user.id} <${user.email}> created in organization ${user.organizationId}\n` +
          `user secret (shown once, store it now): ${secret}\n` +
          `Authorization: User ${secret}, Organization <organization secret>\n`,
      );
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `pollcast: ${error instanceof EnvConfigError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
