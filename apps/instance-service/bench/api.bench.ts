// Requests/s of GET /instances/{id} and POST /instances against the built service (a child process),
// with real Postgres and Kafka and the in-process Maximizer simulator as the OAuth provider.
// Run: KAFKA_BROKERS=… DATABASE_URL=… node -r @swc-node/register apps/instance-service/bench/api.bench.ts
// Env: BENCH_SECONDS (default 5 per case), BENCH_CONNECTIONS (default 32), BENCH_CASES (get,post),
// POLLCAST_PROFILE_DIR (the service writes a V8 CPU profile there).
// Besides requests/s (which depends on what else the 2 cores run), it prints the service's own CPU per
// request (from /proc): the figure to compare between runs on a shared machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
// The bench is a test harness, not service code: like the tests, it may start tools in-process.
import { createMaximizerSimulator } from '@pollcast/maximizer-sim';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const ORGANIZATION_SECRET = randomBytes(24).toString('base64url');
const USER_SECRET = randomBytes(24).toString('base64url');
const AUTHORIZATION = `User ${USER_SECRET}, Organization ${ORGANIZATION_SECRET}`;
const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = 'bench-client-secret';
const CALLBACK = 'https://bench.example/cb';
const CASES = new Set((process.env['BENCH_CASES'] ?? 'get,post').split(','));

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  // Fields after the command name (which may contain spaces): utime is [11], stime [12].
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
}

interface CaseResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  cpuMicrosPerRequest: number;
}

async function main(): Promise<void> {
  const sim = await createMaximizerSimulator({ port: 0 });
  sim.oauth.registerClient(CLIENT_ID, CLIENT_SECRET);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // POLLCAST_PROFILE_DIR: the service writes a V8 CPU profile there when it exits (as in the e2e bench).
  const profileDir = process.env['POLLCAST_PROFILE_DIR'];
  const profiling = profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=instance-service.${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawn(process.execPath, [...profiling, join(__dirname, '..', 'dist', 'main.js')], {
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: await createTestDatabase('instancebench'),
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PARTITIONS: '1',
      POLLCAST_TOPIC_PREFIX: `${uniqueName('isbench')}.`,
      POLLCAST_SERVICE_TOKEN: randomBytes(24).toString('base64url'),
      POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      POLLCAST_BOOTSTRAP_ORGANIZATION_SECRET: ORGANIZATION_SECRET,
      POLLCAST_BOOTSTRAP_USER_SECRET: USER_SECRET,
      MAXIMIZER_BASE_URL: sim.url,
      POLLCAST_PROVIDER_ALLOWED_HOSTS: new URL(sim.url).host,
      // The bench measures the API, not the limiter.
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.ok, {
      timeoutMs: 60000,
      what: 'instance-service',
    });
    // Grant codes straight from the simulator's OAuth server: each POST needs a fresh one.
    const newCode = () =>
      new URL(
        sim.oauth.approve(
          new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: CALLBACK, state: 'bench' }),
        ),
      ).searchParams.get('code') ?? '';
    const body = (code: string) =>
      JSON.stringify({
        element: { key: 'maximizer' },
        providerData: { code },
        configuration: {
          'oauth.callback.url': CALLBACK,
          'oauth.api.key': CLIENT_ID,
          'oauth.api.secret': CLIENT_SECRET,
          'event.notification.enabled': true,
          'event.notification.callback.url': 'https://bench.example/events',
          'event.poller.refresh_interval': '15',
          'event.poller.configuration': { contacts: {}, companies: {} },
        },
        tags: ['bench'],
        name: 'bench',
      });
    const headers = { authorization: AUTHORIZATION, 'content-type': 'application/json' };
    const created = await fetch(`${url}/elements/api-v2/instances`, {
      method: 'POST',
      headers,
      body: body(newCode()),
    });
    if (!created.ok)
      throw new Error(`cannot create the instance to read: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: number };

    const results: CaseResult[] = [];
    const measure = async (name: string, options: autocannon.Options): Promise<void> => {
      // Warm-up (JIT, pools, auth cache), then the measured run.
      await autocannon({ ...options, duration: 1 });
      const cpuBefore = cpuSeconds(child.pid);
      const result = await autocannon({ ...options, duration: SECONDS });
      const cpuUsed = cpuSeconds(child.pid) - cpuBefore;
      results.push({
        name,
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        cpuMicrosPerRequest: (cpuUsed * 1e6) / Math.max(1, result.requests.total),
      });
    };
    // The same process's floor: Nest, Express, the access log and metrics, no auth, no database.
    if (CASES.has('live'))
      await measure('GET /health/live (the same service, nothing behind it)', {
        url: `${url}/health/live`,
        connections: CONNECTIONS,
      });
    if (CASES.has('get'))
      await measure(`GET /elements/api-v2/instances/{id}`, {
        url: `${url}/elements/api-v2/instances/${id}`,
        connections: CONNECTIONS,
        headers,
      });
    if (CASES.has('post'))
      await measure('POST /elements/api-v2/instances (code exchange with the simulator, outbox row)', {
        url: `${url}/elements/api-v2/instances`,
        connections: CONNECTIONS,
        method: 'POST',
        headers,
        requests: [{ setupRequest: (request) => ({ ...request, body: body(newCode()) }) }],
      });

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      `\nMachine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.\n` +
        `${CONNECTIONS} connections, ${SECONDS} s per case after a 1 s warm-up.\n\n` +
        `| case | requests/s | p50 ms | p99 ms | requests | non-2xx | service CPU µs/request |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n` +
        results
          .map(
            (result) =>
              `| ${result.name} | ${Math.round(result.requestsPerSecond).toLocaleString('en-US')} | ${result.p50} | ${result.p99} | ${result.total.toLocaleString('en-US')} | ${result.non2xx + result.errors} | ${Math.round(result.cpuMicrosPerRequest)} |`,
          )
          .join('\n') +
        '\n',
    );
  } finally {
    // A service that failed to start has already exited: waiting for its exit would hang the bench.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await sim.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
