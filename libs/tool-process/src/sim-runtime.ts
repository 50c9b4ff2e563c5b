// How a simulator runs as an HTTP server, and the timers its faults hold (slow answers, held requests).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json, type Reply, send } from './http-reply';

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8091 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Cancels `beforeClose`'s timers, closes idle and held sockets, resolves when closed (idempotent). */
  close(): Promise<void>;
}

/**
 * Listens on host:port (0 = any) with `handle`; an exception in it answers 500 with `errorBody(message)`.
 * Keep-alive longer than undici's / Node's client default, so the client always closes idle sockets first.
 */
export async function listenSimulator(options: {
  port?: number;
  host?: string;
  maxHeaderSize?: number;
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  errorBody: (message: string) => unknown;
  beforeClose?: () => void;
}): Promise<RunningServer> {
  const server: Server = createServer(
    { keepAlive: true, ...(options.maxHeaderSize ? { maxHeaderSize: options.maxHeaderSize } : {}) },
    (request, response) => {
      options.handle(request, response).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        send(response, json(500, options.errorBody(message)));
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        options.beforeClose?.();
        server.close((error) => (error ? reject(error) : resolve()));
        // Held (timeout fault) and idle keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The timers of the slow and timeout faults, cancelled together when the simulator closes. */
export class FaultTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Never answers: the client's own timeout is under test. The socket is dropped after `holdMs`. */
  hold(request: IncomingMessage, response: ServerResponse, holdMs: number): void {
    request.resume();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      response.destroy();
    }, holdMs);
    this.timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  cancel(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** The malformedJson fault: the real reply with its body cut in half. */
export function cutInHalf(reply: Reply): Reply {
  return { ...reply, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
}

/** mulberry32: a tiny, fast random source fully determined by the seed (seeding test data). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
