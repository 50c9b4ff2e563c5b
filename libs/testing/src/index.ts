import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';

/** A short unique name for databases, topic prefixes and consumer groups of one test file. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run integration tests through Jest's integration project (npm test)`,
    );
  return value;
}

export function kafkaBrokers(): string {
  return requiredEnv('KAFKA_BROKERS');
}

/** Creates an empty database on the test cluster and returns its URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const adminUrl = requiredEnv('DATABASE_URL');
  const name = uniqueName(`${prefix}_`).toLowerCase();
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with the last error. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
/** Ports this process has handed out: never twice. */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port nothing listens on, for a process the test starts. Drawn below Linux's ephemeral range
 * (32768–60999), where the kernel picks the local ports of outgoing connections and of `listen(0)`:
 * a port found there with `listen(0)` could be taken again by the next `listen(0)` or by a client's
 * connection before the process binds it (seen as EADDRINUSE on a loaded machine). Never one this
 * process handed out before, nor the fixed local-infrastructure ports (29092/29093).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 21000 + Math.floor(Math.random() * 8000); // 21000–28999
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found in 21000–28999 after 200 tries');
}
export { seedCurlBody, seedTemplateBody, type SeedFill } from './seed-bodies';
