import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runBenchmarks } from './bench';
import { buildAll } from './build';
import { REPO_ROOT } from './infra';
import { runDeployCheck } from './deploy-check';
import { runFuzz } from './fuzz';
import { runFaultTests, runSoak, runTests } from './run-tests';
import { start, startDetached } from './start';

/** The tools `run` starts on their own (`npm run sim`, `npm run sink`, `npm run provider-sim`). */
const RUNNABLE_TOOLS = ['maximizer-sim', 'provider-sim', 'webhook-sink'];

/** Builds, then runs one tool in the foreground with this terminal (its env variables as its README says). */
function runTool(name: string | undefined): number {
  if (name === undefined || !RUNNABLE_TOOLS.includes(name)) {
    process.stderr.write(`usage: pollcast-dev run ${RUNNABLE_TOOLS.join(' | ')}\n`);
    return 2;
  }
  buildAll((line) => process.stderr.write(`[${name}] ${line}\n`));
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', name, 'dist', 'main.js')], {
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

async function main(): Promise<number | undefined> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'start':
      // A terminal's Ctrl-C goes to its whole foreground process group. The orchestrator runs in a group
      // of its own, with everything it starts, so the services stop first and PostgreSQL last.
      if (process.env.POLLCAST_DEV_DETACHED !== '1') return startDetached(process.argv.slice(1));
      await start();
      return undefined; // keeps running until a signal
    case 'test':
      // The fault suite is its own run (it restarts its own broker and database).
      if (rest.includes('--faults')) return runFaultTests(rest.filter((arg) => arg !== '--faults'));
      if (rest.includes('--soak')) return runSoak(rest.filter((arg) => arg !== '--soak'));
      return runTests(rest);
    case 'bench':
      return runBenchmarks(rest);
    case 'fuzz':
      return runFuzz(rest);
    case 'deploy':
      return runDeployCheck(rest);
    case 'run':
      return runTool(rest[0]);
    case undefined:
    default:
      process.stderr.write(
        'usage: pollcast-dev start | test [jest args] | test --faults | test --soak [--changes N --replicas R --minutes M --seed S] | bench [name…] [--tracing] | fuzz [--cases N] [--seed N] | deploy [jest args] | run maximizer-sim|provider-sim|webhook-sink\n',
      );
      return 2;
  }
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
