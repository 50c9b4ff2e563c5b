import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PORTS, PROFILES, REPO_ROOT } from '@pollcast/dev';

/**
 * `npm start` as a newcomer uses it: everything comes up, and Ctrl-C (SIGINT to the whole foreground
 * process group, as a terminal sends it) or a SIGTERM to the orchestrator stops everything it started —
 * no orphan java or postgres, every port free again.
 */
const DEV = PROFILES.dev;
const PLATFORM_PORTS = [...Object.values(PORTS), DEV.kafkaPort, DEV.postgresPort];
const DEV_DATA = join(REPO_ROOT, '.data', DEV.name);

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function portsInUse(): Promise<number[]> {
  const answers = await Promise.all(PLATFORM_PORTS.map((port) => portAnswers(port)));
  return PLATFORM_PORTS.filter((_, index) => answers[index]);
}

/** Processes whose command line names the dev data folder (the broker and PostgreSQL run from it). */
function processesUsingDevData(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (commandLine.includes(DEV_DATA)) found.push(`${entry}: ${commandLine.slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const SERVICES = ['instance-service', 'poller-service', 'normalizer', 'dispatcher'] as const;
const logOf = (service: string) => join(DEV_DATA, 'logs', `${service}.log`);

/** What each service logged from `offsets` on (the logs are appended to across runs). */
function logsSince(offsets: Map<string, number>): Map<string, string> {
  return new Map(
    SERVICES.map((service) => [
      service,
      readFileSync(logOf(service), 'utf8').slice(offsets.get(service) ?? 0),
    ]),
  );
}

function logOffsets(): Map<string, number> {
  return new Map(
    SERVICES.map((service) => [service, existsSync(logOf(service)) ? statSync(logOf(service)).size : 0]),
  );
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function npmStart(): Promise<Started> {
  const env = { ...process.env };
  // The test run's own broker and database must not be borrowed: npm start starts and stops its own.
  delete env.KAFKA_BROKERS;
  delete env.DATABASE_URL;
  delete env.POLLCAST_DEV_DETACHED; // npm start as a user runs it: it detaches its own orchestrator
  const child = spawn(process.execPath, [join(REPO_ROOT, 'tools/dev/bin/pollcast-dev.js'), 'start'], {
    cwd: REPO_ROOT,
    env,
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 180_000;
  while (!output.includes('all ready')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in 180 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { child, output: () => output, exited };
}

async function expectEverythingStopped(started: Started): Promise<void> {
  const code = await Promise.race([
    started.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000)),
  ]);
  expect({ code, output: started.output().split('\n').slice(-4) }).toEqual({
    code: 0,
    output: expect.arrayContaining(['[pollcast] stopped everything']) as unknown,
  });
  expect(processesUsingDevData()).toEqual([]);
  expect(await portsInUse()).toEqual([]);
}

describe('npm start', () => {
  let skipReason: string | undefined;

  beforeAll(async () => {
    const busy = await portsInUse();
    // A developer's own `npm start` may be running: never stop it from a test.
    if (busy.length > 0) skipReason = `ports ${busy.join(', ')} are in use (is npm start running?)`;
  });

  it('stops everything on Ctrl-C (SIGINT to the whole process group)', async () => {
    if (skipReason) return console.warn(`skipped: ${skipReason}`);
    const offsets = logOffsets();
    const started = await npmStart();
    const ready = await fetch(`http://127.0.0.1:${PORTS.instanceService}/health/ready`);
    expect(ready.status).toBe(200);
    expect(processesUsingDevData().length).toBeGreaterThan(0); // the broker and PostgreSQL it started
    process.kill(-(started.child.pid as number), 'SIGINT');
    await expectEverythingStopped(started);
    // The terminal's signal reached only npm start; it stopped each service itself (SIGTERM), in order.
    for (const [service, log] of logsSince(offsets)) {
      expect({ service, signal: /"signal":"(\w+)"/.exec(log)?.[1] }).toEqual({ service, signal: 'SIGTERM' });
      expect(log).toContain(`"msg":"${service} stopped"`);
    }
  }, 300_000);

  it('stops everything on SIGTERM to the orchestrator alone', async () => {
    if (skipReason) return console.warn(`skipped: ${skipReason}`);
    const started = await npmStart();
    started.child.kill('SIGTERM');
    await expectEverythingStopped(started);
  }, 300_000);
});
