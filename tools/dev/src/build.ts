import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './infra';

/** Builds every project with Nx (SWC, cached); throws with Nx's output when a build fails. */
export function buildAll(log: (line: string) => void): number {
  const began = Date.now();
  log('building (nx run-many -t build)…');
  const result = spawnSync(
    process.execPath,
    [require.resolve('nx/bin/nx.js'), 'run-many', '-t', 'build', '--outputStyle=static'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    },
  );
  if (result.status !== 0) {
    throw new Error(`the build failed:\n${result.stdout}${result.stderr}`);
  }
  const tookMs = Date.now() - began;
  log(`built in ${(tookMs / 1000).toFixed(1)} s`);
  return tookMs;
}
