import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from './build';
import { describeRuntime, REPO_ROOT } from './infra';

const log = (line: string) => process.stdout.write(`[pollcast] ${line}\n`);

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numRuntimeErrorTestSuites: number;
  success: boolean;
}

/** `npm run test:faults`: the fault suite on Node's test runner (it manages its own broker and database). */
export async function runFaultTests(files: string[]): Promise<number> {
  log(describeRuntime());
  buildAll(log);
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '--test',
        '--test-concurrency=1',
        ...(files.length > 0
          ? files
          : [
              'test/faults/producer-answers.test.ts',
              'test/faults/consumer-rejoin.test.ts',
              'test/faults/platform-faults.test.ts',
            ]),
      ],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
}

/** `npm run test:soak -- --changes N --replicas R --minutes M --seed S`: the long randomized fault run
 * (test/faults/soak.ts, on demand, never in CI; it starts its own broker, database and Toxiproxy). */
export async function runSoak(args: string[]): Promise<number> {
  log(describeRuntime());
  buildAll(log);
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'test/faults/soak.ts', ...args], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
}

/** `npm test`: build (e2e runs the built output), then Jest (its global setup starts Kafka and Postgres). */
export async function runTests(jestArgs: string[]): Promise<number> {
  const began = Date.now();
  log(describeRuntime());
  buildAll(log);
  const resultsDir = join(REPO_ROOT, '.data', 'test');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, 'jest-results.json');
  rmSync(resultsFile, { force: true });
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--ci', '--json', `--outputFile=${resultsFile}`, ...jestArgs],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  const seconds = ((Date.now() - began) / 1000).toFixed(0);
  if (!existsSync(resultsFile)) {
    log(`jest ended with code ${code} and wrote no results (${seconds} s)`);
    return code === 0 ? 1 : code;
  }
  const summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary;
  const failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
  log(`finished in ${seconds} s`);
  // The plain closing line CI reads in any language.
  process.stdout.write(
    `\njest: ${summary.numPassedTests} passed, ${failed} failed, ${summary.numPendingTests + summary.numTodoTests} skipped\n`,
  );
  return code;
}
