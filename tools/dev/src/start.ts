import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildAll } from './build';
import { describeRuntime, PROFILES, REPO_ROOT, startInfra, type Infra } from './infra';
import { ensureDatabase } from './local-postgres';
import { platformProcesses } from './platform';
import { startProcess, type SupervisedProcess } from './processes';
import { authorizationHeader, loadOrCreateSecrets } from './secrets';

const log = (line: string) => process.stdout.write(`[pollcast] ${line}\n`);

function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** `npm start`: Kafka, Postgres, simulator, sink and the four services; Ctrl-C stops them all. */
export async function start(): Promise<void> {
  const began = Date.now();
  const profile = PROFILES.dev;
  const running: SupervisedProcess[] = [];
  let infra: Infra | undefined;
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    // Services first (they finish in-flight work and commit offsets), then the infrastructure.
    await Promise.all(running.reverse().map((processHandle) => processHandle.stop()));
    await infra?.stop();
    log('stopped everything');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // Started by startDetached: if that parent goes away (killed, terminal closed), stop too.
  if (process.connected) process.once('disconnect', () => void stopAll(0));

  try {
    log(describeRuntime());
    buildAll(log);
    infra = await startInfra(profile, log);
    const databaseUrl = process.env.DATABASE_URL ?? infra.urlForDatabase('pollcast');
    if (!process.env.DATABASE_URL) await ensureDatabase(infra.databaseUrl, 'pollcast');
    const secrets = loadOrCreateSecrets(join(REPO_ROOT, '.data', profile.name, 'secrets.json'));
    const specs = platformProcesses(REPO_ROOT, { kafkaBrokers: infra.kafkaBrokers, databaseUrl, secrets });
    const logDir = join(REPO_ROOT, '.data', profile.name, 'logs');
    // Tools first (services call them), then the services together.
    const [tools, services] = [
      specs.filter((s) => !s.entry.startsWith('apps')),
      specs.filter((s) => s.entry.startsWith('apps')),
    ];
    for (const group of [tools, services]) {
      // allSettled: when one fails to start, its siblings that did start are still stopped below.
      const outcomes = await Promise.allSettled(
        group.map((spec) =>
          startProcess(spec, { cwd: REPO_ROOT, logFile: join(logDir, `${spec.name}.log`) }),
        ),
      );
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') running.push(outcome.value);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (const processHandle of running) {
      void processHandle.exited.then((code) => {
        if (!stopping)
          log(`${processHandle.spec.name} exited unexpectedly (code ${code}); see ${processHandle.logFile}`);
      });
    }
    const rows = running.map((p) => [
      p.spec.name,
      p.url,
      `${(p.readyInMs / 1000).toFixed(1)} s`,
      p.logFile.replace(REPO_ROOT + '/', ''),
    ]);
    rows.push([
      'kafka',
      infra.kafkaBrokers,
      infra.timings.kafkaMs ? `${(infra.timings.kafkaMs / 1000).toFixed(1)} s` : 'external',
      `.data/${profile.name}/kafka/server.log`,
    ]);
    rows.push([
      'postgres',
      maskPassword(databaseUrl),
      infra.timings.postgresMs ? `${(infra.timings.postgresMs / 1000).toFixed(1)} s` : 'external',
      '',
    ]);
    const widths = [0, 1, 2, 3].map((i) =>
      Math.max(...[['what', 'where', 'ready in', 'log'], ...rows].map((row) => (row[i] ?? '').length)),
    );
    const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
    process.stdout.write(
      `\n${line(['what', 'where', 'ready in', 'log'])}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n\n`,
    );
    const console = running.find((p) => p.spec.name === 'instance-service');
    if (console) {
      log(`API: ${console.url}/elements/api-v2  OpenAPI: ${console.url}/docs  console: ${console.url}/`);
    }
    // Local development credentials (kept in the git-ignored .data folder).
    log(`development tenant: -H 'Authorization: ${authorizationHeader(secrets)}'`);
    log(
      `all ready in ${((Date.now() - began) / 1000).toFixed(1)} s on Node ${process.version} — Ctrl-C stops everything`,
    );
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    await stopAll(1);
  }
}

/**
 * Runs `start` in a new process group (`args` = this script and its arguments) and relays Ctrl-C,
 * SIGTERM and SIGHUP to it as one SIGTERM. The terminal's signal then reaches only this small parent,
 * not PostgreSQL or the services directly, so the orchestrator stops them in order. Resolves with the
 * orchestrator's exit code.
 */
export function startDetached(args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, POLLCAST_DEV_DETACHED: '1' },
  });
  const relay = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, relay);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      log(`could not start the orchestrator: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
