import { runBenchmarks } from './bench';
import { runTests } from './run-tests';
import { start } from './start';

async function main(): Promise<number | undefined> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'start':
      await start();
      return undefined; // keeps running until a signal
    case 'test': {
      const faults = rest.includes('--faults');
      const args = rest.filter((arg) => arg !== '--faults');
      // The fault suite is its own run (it restarts its own broker and database).
      const selected = args.includes('--selectProjects')
        ? []
        : ['--selectProjects', ...(faults ? ['faults'] : ['unit', 'integration'])];
      return runTests([...selected, ...args]);
    }
    case 'bench':
      return runBenchmarks(rest);
    case undefined:
    default:
      process.stderr.write('usage: pollcast-dev start | test [jest args] | test --faults | bench [name…]\n');
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
