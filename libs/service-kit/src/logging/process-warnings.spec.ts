import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '../../../..');

/** A process of its own: the routing replaces process-wide listeners. */
function runWarningProcess(route: boolean): { stdout: string; stderr: string } {
  const script = `
    const pino = require('pino');
    const { routeProcessWarnings } = require(${JSON.stringify(join(__dirname, 'process-warnings.ts'))});
    if (${route}) routeProcessWarnings(pino({ level: 'debug' }));
    setTimeout(() => {}, -5); // what kafkajs' request queue does when nothing is throttled
    process.emitWarning('a deprecated thing', 'DeprecationWarning', 'DEP0999');
    setTimeout(() => {}, 20);
  `;
  const child = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' }, // pollcast-dev passes --disable-warning for this one
  });
  return { stdout: child.stdout, stderr: child.stderr };
}

describe('routeProcessWarnings', () => {
  it('logs process warnings as JSON lines, and Node prints none of its own to stderr', () => {
    const { stdout, stderr } = runWarningProcess(true);
    expect(stderr).toBe('');
    const lines = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { level: number; msg: string; warning: { name: string; code?: string } },
      );
    expect(lines.map(({ level, msg, warning }) => ({ level, msg, ...warning }))).toEqual([
      expect.objectContaining({ level: 20, msg: 'process warning', name: 'TimeoutNegativeWarning' }),
      expect.objectContaining({
        level: 40,
        msg: 'process warning',
        name: 'DeprecationWarning',
        code: 'DEP0999',
      }),
    ]);
  });

  it('is what keeps the warnings off stderr (without it Node prints them as text)', () => {
    const { stdout, stderr } = runWarningProcess(false);
    expect(stdout).toBe('');
    expect(stderr).toContain('TimeoutNegativeWarning');
    expect(stderr).toContain('[DEP0999] DeprecationWarning');
  });
});
