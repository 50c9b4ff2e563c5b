import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from './build';
import { REPO_ROOT } from './infra';

/** `npm run bench -- <name>… [--flag=value…]`: each benchmark is one file that prints its own table;
 * `--flag=value` arguments are handed to every selected benchmark (e.g. `latency --rates=1000,5000`). */
export const BENCHMARKS: Record<string, string> = {
  'date-template': 'libs/date-template/bench/date-template.bench.ts',
  sim: 'tools/maximizer-sim/bench/sim.bench.ts',
  scheduler: 'apps/poller-service/bench/scheduler.bench.ts',
  reconcile: 'apps/poller-service/bench/reconcile.bench.ts',
  normalizer: 'apps/normalizer/bench/normalizer.bench.ts',
  dispatcher: 'apps/dispatcher/bench/dispatcher.bench.ts',
  e2e: 'test/bench/e2e.bench.ts',
  kafka: 'libs/service-kit/bench/kafka-client.bench.ts',
  latency: 'test/bench/latency.bench.ts',
};

/** `--tracing`: the services export traces (OTLP/HTTP) to a null receiver in the benchmark process, to
 * measure what tracing costs; benchmarks read it as BENCH_TRACING=1. */
const TRACING_FLAG = '--tracing';

export function runBenchmarks(args: string[]): number {
  const tracing = args.includes(TRACING_FLAG);
  const flags = args.filter((arg) => arg !== TRACING_FLAG && /^--[\w-]+=/.test(arg));
  const names = args.filter((arg) => arg !== TRACING_FLAG && !flags.includes(arg));
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
    );
    return 2;
  }
  buildAll((line) => process.stdout.write(`[bench] ${line}\n`));
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  let failures = 0;
  for (const name of selected) {
    const file = BENCHMARKS[name] ?? '';
    if (!existsSync(join(REPO_ROOT, file))) {
      process.stdout.write(`[bench] ${name}: ${file} does not exist yet, skipped\n`);
      continue;
    }
    process.stdout.write(`\n[bench] ${name} (${file})\n`);
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', file, ...flags], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: tracing ? { ...process.env, BENCH_TRACING: '1' } : process.env,
    });
    if (result.status !== 0) failures += 1;
  }
  return failures === 0 ? 0 : 1;
}
