// HTTP for elements: one keep-alive undici Pool per provider origin, a connect timeout and a total
// timeout (headers + body), and transport failures turned into ProviderError('retryable').
import { Pool } from 'undici';
import { ProviderError, redactSecrets } from './errors';

export interface HttpTimeouts {
  /** TCP (+TLS) connect. Default 5 s. */
  readonly connectTimeoutMs: number;
  /** Whole request: connect, send, headers and body. Default 30 s. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

export interface HttpCallContext {
  readonly elementKey: string;
  readonly operation: string;
  /** Values that must never appear in an error message (tokens, client secret). */
  readonly secrets: readonly (string | undefined)[];
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly bodyText: string;
}

export class HttpTransport {
  private readonly pools = new Map<string, Pool>();

  constructor(readonly timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS) {}

  /** POST to `baseUrl` + `path`; `baseUrl` may carry a path prefix. */
  async post(
    baseUrl: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    context: HttpCallContext,
  ): Promise<HttpResponse> {
    const base = new URL(baseUrl);
    const fullPath = base.pathname.replace(/\/+$/, '') + path;
    const pool = this.poolFor(base.origin);
    const timeoutController = new AbortController();
    const timer = setTimeout(
      () => timeoutController.abort(new Error('total request timeout')),
      this.timeouts.requestTimeoutMs,
    );
    const signal =
      context.signal === undefined
        ? timeoutController.signal
        : AbortSignal.any([timeoutController.signal, context.signal]);
    try {
      const response = await pool.request({ method: 'POST', path: fullPath, headers, body, signal });
      // Reading the body is part of the request: a provider that stalls mid-body times out too.
      const bodyText = await response.body.text();
      return { status: response.statusCode, headers: flattenHeaders(response.headers), bodyText };
    } catch (error) {
      // The caller cancelled: not a provider failure, hand their reason back unchanged.
      if (context.signal?.aborted === true && !timeoutController.signal.aborted) throw context.signal.reason;
      if (timeoutController.signal.aborted) {
        throw new ProviderError(
          `${context.elementKey} ${context.operation}: no complete response within ${this.timeouts.requestTimeoutMs} ms`,
          { kind: 'retryable', elementKey: context.elementKey, operation: context.operation, cause: error },
        );
      }
      throw new ProviderError(
        `${context.elementKey} ${context.operation}: ${describeTransportError(error, this.timeouts, context.secrets)}`,
        { kind: 'retryable', elementKey: context.elementKey, operation: context.operation, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connect: { timeout: this.timeouts.connectTimeoutMs },
        // Our own timer enforces the total; these only stop undici's 300 s defaults from mattering.
        headersTimeout: this.timeouts.requestTimeoutMs,
        bodyTimeout: this.timeouts.requestTimeoutMs,
        keepAliveTimeout: 10_000,
        connections: 16,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function describeTransportError(
  error: unknown,
  timeouts: HttpTimeouts,
  secrets: readonly (string | undefined)[],
): string {
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return `connect timed out after ${timeouts.connectTimeoutMs} ms`;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return `no complete response within ${timeouts.requestTimeoutMs} ms`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(`connection failed (${code ?? 'unknown'}): ${message}`, secrets);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
