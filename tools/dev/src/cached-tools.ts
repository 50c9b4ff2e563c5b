// Tools the checks need that npm does not provide, installed once per clone under .cache/ (gitignored)
// and reused: Python tools into a venv of their own (schemathesis, kubernetes-validate), Go binaries
// built from the Go module proxy (Helm: about 3 minutes cold on a free machine, 20 under load).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './infra';

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

/** `pip install <pkg>==<version>` into .cache/<venv>; reinstalled when `<binary> --version` does not name
 * the version. Returns the binary's path. */
export function ensurePipTool(
  venv: string,
  pkg: string,
  version: string,
  binary: string,
  log: (line: string) => void,
): string {
  const dir = join(REPO_ROOT, '.cache', venv);
  const path = join(dir, 'bin', binary);
  if (existsSync(path)) {
    const answer = spawnSync(path, ['--version'], { encoding: 'utf8' });
    if (answer.status === 0 && `${answer.stdout}${answer.stderr}`.includes(version)) return path;
  }
  log(`installing ${pkg} ${version} into .cache/${venv}…`);
  rmSync(dir, { recursive: true, force: true });
  try {
    run('python3', ['-m', 'venv', dir]);
    run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${pkg}==${version}`]);
  } catch (error) {
    throw new Error(`${(error as Error).message}; Python 3.9+ with venv and pip is needed`);
  }
  return path;
}

/** A Go command built with `go install <module>/<cmd>@<version>` into .cache/<name>/<version>/<name>;
 * `built` is the name `go install` gives it (the command's folder: Toxiproxy's is `server`). */
export function ensureGoBinary(
  name: string,
  packagePath: string,
  version: string,
  log: (line: string) => void,
  built = name,
): string {
  const dir = join(REPO_ROOT, '.cache', name, version);
  const path = join(dir, name);
  if (existsSync(path)) return path;
  log(`building ${packagePath}@${version} from the Go module proxy (minutes; cached in .cache/${name})…`);
  mkdirSync(dir, { recursive: true });
  const gobin = mkdtempSync(join(dir, 'gobin-'));
  try {
    run('go', ['install', `${packagePath}@${version}`], {
      cwd: dir,
      env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    });
    renameSync(join(gobin, built), path);
  } catch (error) {
    throw new Error(`${(error as Error).message}; a Go toolchain (1.24+) and GOPROXY access are needed`);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  return path;
}
