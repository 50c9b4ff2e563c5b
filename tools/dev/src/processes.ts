import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProcessSpec {
  name: string;
  /** Built entry point, e.g. apps/normalizer/dist/main.js */
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Path answering 200 once the process is ready. */
  readyPath: string;
  /** Port of readyPath when it is not `port` (MANAGEMENT_PORT set). */
  readyPort?: number;
}

export interface SupervisedProcess {
  spec: ProcessSpec;
  child: ChildProcess;
  url: string;
  readyInMs: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts `node <entry>` with its own log file, and resolves once its ready path answers 200. */
export async function startProcess(
  spec: ProcessSpec,
  options: { logFile: string; timeoutMs?: number; cwd: string },
): Promise<SupervisedProcess> {
  const began = Date.now();
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  // POLLCAST_PROFILE_DIR: each process writes a V8 CPU profile there when it exits (for benchmarks).
  const profileDir = process.env.POLLCAST_PROFILE_DIR;
  const profiling = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${spec.name}.${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, ['--enable-source-maps', ...profiling, spec.entry], {
    cwd: options.cwd,
    env: { ...process.env, ...spec.env, PORT: String(spec.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120000);
  const readyUrl = `http://127.0.0.1:${spec.readyPort ?? spec.port}${spec.readyPath}`;
  while (!(await answers(readyUrl))) {
    if (exitCode !== undefined) {
      throw new Error(
        `${spec.name} exited with code ${exitCode} before it was ready:\n${stderrTail.trim()}\n(log: ${options.logFile})`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${spec.name} was not ready within ${options.timeoutMs ?? 120000} ms (log: ${options.logFile})`,
      );
    }
    await sleep(200);
  }
  return {
    spec,
    child,
    url,
    readyInMs: Date.now() - began,
    logFile: options.logFile,
    exited,
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
    },
    stop: async (graceMs = 30000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const escalation = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(escalation);
      return code;
    },
  };
}
