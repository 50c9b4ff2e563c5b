// Toxiproxy (github.com/Shopify/toxiproxy), the TCP fault proxy of `npm run test:soak`: built once from
// the Go module proxy into .cache/toxiproxy/, started as a process on a loopback port, driven over its
// HTTP API (the soak uses the toxiproxy-node-client package).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureGoBinary } from './cached-tools';

export const TOXIPROXY_VERSION = 'v2.5.0';

export interface ToxiproxyServer {
  /** The HTTP API, e.g. http://127.0.0.1:8474 */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startToxiproxy(options: {
  port: number;
  logFile: string;
  log: (line: string) => void;
  timeoutMs?: number;
}): Promise<ToxiproxyServer> {
  const binary = ensureGoBinary(
    'toxiproxy',
    'github.com/Shopify/toxiproxy/v2/cmd/server',
    TOXIPROXY_VERSION,
    options.log,
    'server',
  );
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(options.port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`toxiproxy exited (${child.exitCode}); log: ${options.logFile}`);
    try {
      const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`toxiproxy did not answer on ${url}; log: ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  options.log(`toxiproxy ${TOXIPROXY_VERSION} on ${url} (pid ${child.pid})`);
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
