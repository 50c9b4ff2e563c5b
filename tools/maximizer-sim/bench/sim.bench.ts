/**
 * maximizer-sim benchmark: seed time for 1M records, Read throughput over HTTP keep-alive (100-record
 * pages, `LastModifyDate $GT x`), and server-side time per Read (p50 / p99).
 *
 *   node -r @swc-node/register tools/maximizer-sim/bench/sim.bench.ts
 *
 * The simulator runs in its own process (src/main.ts, as `npm start` runs it) so client and server do
 * not share an event loop. Env: BENCH_RECORDS (default 1000000), BENCH_SECONDS per phase (default 5),
 * BENCH_CONCURRENCY (default 8).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const PHASE_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const PORT = 18_000 + Math.floor(Math.random() * 1000);

interface StartLine {
  msg: string;
  url: string;
  seedMs?: number;
}

interface ReadPage {
  Code: number;
  AbEntry?: { Data: unknown[]; PageKey?: string };
}

async function startSimulator(): Promise<{ child: ChildProcess; start: StartLine }> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, '..', 'src', 'main.ts')],
    {
      env: { ...process.env, PORT: String(PORT), SIM_SEED_RECORDS: String(RECORDS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as StartLine;
    if (parsed.msg === 'maximizer-sim started') return { child, start: parsed };
  }
  throw new Error('simulator exited before starting');
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const { child, start } = await startSimulator();
  const bootMs = performance.now() - startedAt;
  const pool = new Pool(start.url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await pool.request({
      method,
      path: `/_sim${path}`,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.body.json()) as T;
  };
  const token = (
    await control<{ access_token: string }>('POST', '/oauth/tokens', { accessTokenTtlSeconds: 86_400 })
  ).access_token;
  const clock = await control<{ now: string }>('GET', '/clock');
  const toMs = Date.parse(clock.now);
  const fromMs = toMs - 30 * 24 * 3600 * 1000; // the default seed window

  async function phase(
    name: string,
    criteria: (since: string) => unknown,
    seconds = PHASE_SECONDS,
  ): Promise<Record<string, string | number>> {
    const lastSeq =
      (await control<{ requests: { seq: number }[] }>('GET', '/requests?limit=100000')).requests.at(-1)
        ?.seq ?? 0;
    let requests = 0;
    let records = 0;
    let failures = 0;
    const deadline = performance.now() + seconds * 1000;
    let random = 12345;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        random = (random * 1103515245 + 12345) % 2147483648;
        const since = new Date(fromMs + (random / 2147483648) * (toMs - fromMs - 3600_000)).toISOString();
        const response = await pool.request({
          method: 'POST',
          path: '/octopus/Read',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            AbEntry: {
              Scope: { Fields: { Key: 1, Type: 1, FirstName: 1, LastName: 1, Email: 1, LastModifyDate: 1 } },
              Criteria: { SearchQuery: criteria(since) },
              OrderBy: { Fields: [{ LastModifyDate: 'ASC' }, { Key: 'ASC' }] },
              PageSize: 100,
            },
          }),
        });
        const page = (await response.body.json()) as ReadPage;
        requests += 1;
        if (response.statusCode !== 200 || page.Code !== 0) failures += 1;
        else records += page.AbEntry?.Data.length ?? 0;
      }
    };
    const phaseStart = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const elapsedSeconds = (performance.now() - phaseStart) / 1000;
    const logged = await control<{ requests: { serverMicros: number; path: string }[] }>(
      'GET',
      `/requests?since=${lastSeq}&path=/octopus/Read&limit=100000`,
    );
    const micros = logged.requests.map((request) => request.serverMicros).sort((a, b) => a - b);
    return {
      phase: name,
      requests,
      failures,
      'requests/s': Math.round(requests / elapsedSeconds),
      'records/s': Math.round(records / elapsedSeconds),
      'server p50 ms': Number((percentile(micros, 0.5) / 1000).toFixed(3)),
      'server p99 ms': Number((percentile(micros, 0.99) / 1000).toFixed(3)),
      'server samples': micros.length,
    };
  }

  // Warm-up: JIT and the post-seed GC settle before anything is measured.
  await phase('warm-up', (since) => ({ LastModifyDate: { $GT: since } }), 2);
  const results = [
    await phase('LastModifyDate $GT x', (since) => ({ LastModifyDate: { $GT: since } })),
    await phase('Type $EQ Contact AND LastModifyDate $GT x', (since) => ({
      $AND: [{ Type: { $EQ: 'Contact' } }, { LastModifyDate: { $GT: since } }],
    })),
  ];
  await pool.close();
  child.kill('SIGTERM');
  await once(child, 'exit');

  console.log(`maximizer-sim bench — ${new Date().toISOString()} — node ${process.version}`);
  console.log(
    `seed ${RECORDS} records: ${start.seedMs ?? Number.NaN} ms (process boot + seed: ${Math.round(bootMs)} ms)`,
  );
  console.log(
    `Reads: PageSize 100, concurrency ${CONCURRENCY}, ${PHASE_SECONDS} s per phase, undici Pool keep-alive`,
  );
  console.table(results);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
