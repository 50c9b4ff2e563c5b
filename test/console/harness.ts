// What both console browser tests share: a fresh console build, Debian's Chromium through
// playwright-core, a static server with the SPA fallback (and optional API proxying), screenshots.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '@pollcast/dev';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CONSOLE_DIR = join(REPO_ROOT, 'apps', 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'console');

/** Flags for a root, offline machine (see the polyglot machine notes); Playwright adds a fresh profile. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds apps/console so the test runs what the sources say now, not a stale dist. */
export function buildConsole(): void {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: CONSOLE_DIR,
    // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 120000,
  });
  if (result.status !== 0) {
    throw new Error(`vite build of apps/console failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/** The one line that installs what the browser tests need (the README's prerequisites name it too). */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/**
 * Fails fast, before a build or a platform start, when Debian's Chromium is missing, with one message
 * that says so and how to install it: no stack trace to read through, and no silent skip.
 */
export function requireChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const problem = new Error(
    `Chromium is not installed (the console browser tests drive Debian's Chromium at ${CHROMIUM_PATH}): ` +
      `install it, as root, with \`${CHROMIUM_INSTALL}\``,
  );
  // Jest prints an error's stack; this one is the message alone, since where it was thrown says nothing.
  problem.stack = problem.message;
  throw problem;
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  // launch() (not launchPersistentContext) gives every run a new, empty temporary profile.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, timeout: 60000 });
}

export function screenshotter(suite: string): (page: Page, step: string) => Promise<void> {
  const directory = join(SCREENSHOT_DIR, suite);
  // Start empty, so the numbered files are exactly this run's steps.
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  let index = 0;
  return async (page, step) => {
    index += 1;
    await page.screenshot({
      path: join(directory, `${String(index).padStart(2, '0')}-${step}.png`),
      fullPage: true,
    });
  };
}

/** `User <secret>, Organization <secret>` → the two secrets the sign-in form asks for. */
export function secretsOf(authorization: string): { userSecret: string; organizationSecret: string } {
  const match = /^User (.+), Organization (.+)$/.exec(authorization.trim());
  if (!match?.[1] || !match[2]) throw new Error('authorization is not "User …, Organization …"');
  return { userSecret: match[1], organizationSecret: match[2] };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves a file of the build, or index.html for any other GET (the console routes in the browser). */
export function serveConsoleFile(request: IncomingMessage, response: ServerResponse): void {
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  const candidate = normalize(join(CONSOLE_DIST, pathname));
  const inside = candidate.startsWith(CONSOLE_DIST + sep);
  const file =
    inside && existsSync(candidate) && extname(candidate) !== ''
      ? candidate
      : join(CONSOLE_DIST, 'index.html');
  response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

export async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Forwards a request to `target` (path rewritten), streaming both ways. */
export function proxy(
  request: IncomingMessage,
  response: ServerResponse,
  target: string,
  path: string,
): void {
  const url = new URL(path, target);
  const upstream = httpRequest(
    url,
    { method: request.method, headers: { ...request.headers, host: url.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) =>
    sendJson(response, 502, { message: `proxy to ${target}: ${error.message}` }),
  );
  request.pipe(upstream);
}

export interface HttpHandle {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>,
): Promise<HttpHandle> {
  const server: Server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: String(error) });
      else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
