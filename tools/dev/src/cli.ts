import { runBenchmarks } from './bench';
import { runDeployCheck } from './deploy-check';
import { runFuzz } from './fuzz';
import { runFaultTests, runSoak, runTests } from './run-tests';
import { start, startDetached } from './start';

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
    case undefined:
    default:
      process.stderr.write(
        'usage: pollcast-dev start | test [jest args] | test --faults | test --soak [--changes N --replicas R --minutes M --seed S] | bench [name…] [--tracing] | fuzz [--cases N] [--seed N] | deploy [jest args]\n',
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
