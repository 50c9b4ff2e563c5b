import { performance } from 'node:perf_hooks';
import {
  CompiledPolicy,
  createGuardedAgent,
  isOutboundRefusal,
  OutboundRefusedError,
} from '@pollcast/outbound-guard';
import { type Agent, errors as undiciErrors } from 'undici';
import { inHttpClientSpan } from '@pollcast/telemetry';

export interface CallbackClientOptions {
  connectTimeoutMs: number;
  /** Whole attempt: connect, send, headers and body. */
  totalTimeoutMs: number;
  /** Connections kept per endpoint origin (matches the per-endpoint concurrency). */
  connectionsPerOrigin: number;
  /** POLLCAST_ALLOW_PRIVATE_CALLBACKS: callbacks may reach private addresses (development only). */
  allowPrivateCallbacks: boolean;
  /** How much of a response body is kept in the delivery log. */
  responseBodyLimit: number;
}

/** What one attempt came to. `kind` drives what happens next. */
export type AttemptResult =
  | { kind: 'delivered'; statusCode: number; latencyMs: number; responseBody: string }
  | {
      kind: 'http-error';
      statusCode: number;
      latencyMs: number;
      responseBody: string;
      retryAfter: string | undefined;
    }
  | { kind: 'timeout' | 'connection-error'; latencyMs: number; error: string }
  /** The URL may never be called (outbound guard, bad scheme): retrying cannot help. */
  | { kind: 'refused'; latencyMs: number; error: string };

// Drained bytes beyond this are not read: the connection is closed instead of reused.
const MAX_DRAIN_BYTES = 64 * 1024;

function describe(error: unknown): string {
  // A refusal says which rule, nothing about where the name pointed (tenants read lastError).
  if (isOutboundRefusal(error)) return refusalOf(error).message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

function refusalOf(error: unknown): OutboundRefusedError {
  let current: unknown = error;
  while (
    !(current instanceof OutboundRefusedError) &&
    current instanceof Error &&
    current.cause !== undefined
  ) {
    current = current.cause;
  }
  return current instanceof OutboundRefusedError
    ? current
    : new OutboundRefusedError('non-public-address', 'callback URL');
}

/**
 * POSTs callbacks through undici keep-alive pools: redirects are not followed, only 2xx counts, every
 * resolved address is checked at connect time unless private callbacks are allowed.
 */
export class CallbackClient {
  private readonly agent: Agent;
  private readonly policy: CompiledPolicy;

  constructor(private readonly options: CallbackClientOptions) {
    const policy = { target: 'callback URL', allowPrivateAddresses: options.allowPrivateCallbacks };
    this.policy = new CompiledPolicy(policy);
    this.agent = createGuardedAgent(policy, {
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: options.totalTimeoutMs,
      bodyTimeout: options.totalTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
    });
  }

  async send(callbackUrl: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    let url: URL;
    try {
      url = this.policy.check(callbackUrl);
    } catch (error) {
      return { kind: 'refused', latencyMs: 0, error: describe(error) };
    }
    // A CLIENT span; the callback's `traceparent` is that span's, so a tenant's own tracing joins ours.
    return inHttpClientSpan(
      { name: 'POST callback', method: 'POST', url },
      (traceHeaders) => this.post(url, { ...headers, ...traceHeaders }, body),
      (result) => ('statusCode' in result ? result.statusCode : result.error),
    );
  }

  private async post(url: URL, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.totalTimeoutMs),
      });
      const responseBody = await this.readSome(response.body);
      const latencyMs = elapsed();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { kind: 'delivered', statusCode: response.statusCode, latencyMs, responseBody };
      }
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'http-error',
        statusCode: response.statusCode,
        latencyMs,
        responseBody,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
    } catch (error) {
      const latencyMs = elapsed();
      if (isOutboundRefusal(error)) return { kind: 'refused', latencyMs, error: describe(error) };
      if (isTimeout(error)) return { kind: 'timeout', latencyMs, error: describe(error) };
      return { kind: 'connection-error', latencyMs, error: describe(error) };
    }
  }

  /** Keeps the first bytes for the delivery log and drains a little more so the socket can be reused. */
  private async readSome(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let seen = 0;
    for await (const chunk of body) {
      seen += chunk.length;
      if (keptBytes < this.options.responseBodyLimit) {
        const slice = chunk.subarray(0, this.options.responseBodyLimit - keptBytes);
        kept.push(slice);
        keptBytes += slice.length;
      }
      if (seen > MAX_DRAIN_BYTES) {
        body.destroy();
        break;
      }
    }
    return Buffer.concat(kept).toString('utf8');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
