// HTTP for elements: one keep-alive undici Agent (a pool per provider origin) behind the outbound
// guard, a connect timeout and a total timeout (headers + body), and transport failures turned into
// ProviderError('retryable'). Every URL is checked before the request and every address when dialled.
import {
  CompiledPolicy,
  createGuardedAgent,
  isOutboundRefusal,
  type OutboundPolicy,
} from '@pollcast/outbound-guard';
import type { Agent } from 'undici';
import { ElementRequestError, ProviderError, redactSecrets } from './errors';

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
  /** The configuration key that chose the URL: a refusal names it. */
  readonly configKey?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly bodyText: string;
}

/** What a refused provider call says: the rule, never the address or the status of what is inside. */
export const OUTBOUND_REFUSED_MESSAGE = 'provider URL refused by the outbound guard';

export class HttpTransport {
  private agent: Agent | undefined;
  readonly policy: CompiledPolicy;

  constructor(
    readonly timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS,
    policy: OutboundPolicy = {},
  ) {
    this.policy = new CompiledPolicy(policy);
  }

  /** POST to `baseUrl` + `path`; `baseUrl` may carry a path prefix. */
  async post(
    baseUrl: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    context: HttpCallContext,
  ): Promise<HttpResponse> {
    let base: URL;
    try {
      base = this.policy.check(baseUrl);
    } catch (error) {
      throw refused(context, error);
    }
    return this.send('POST', base, base.pathname.replace(/\/+$/, '') + path, headers, body, context);
  }

  /** Any method to an absolute URL (path and query as given), checked by the outbound guard first. */
  async request(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    context: HttpCallContext,
  ): Promise<HttpResponse> {
    let target: URL;
    try {
      target = this.policy.check(url);
    } catch (error) {
      throw refused(context, error);
    }
    return this.send(method, target, `${target.pathname}${target.search}`, headers, body, context);
  }

  private async send(
    method: 'GET' | 'POST',
    base: URL,
    fullPath: string,
    headers: Record<string, string>,
    body: string | undefined,
    context: HttpCallContext,
  ): Promise<HttpResponse> {
    const agent = this.agentFor();
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
      const response = await agent.request({
        origin: base.origin,
        method,
        path: fullPath,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
      });
      // Reading the body is part of the request: a provider that stalls mid-body times out too.
      const bodyText = await response.body.text();
      return { status: response.statusCode, headers: flattenHeaders(response.headers), bodyText };
    } catch (error) {
      // The caller cancelled: not a provider failure, hand their reason back unchanged.
      if (context.signal?.aborted === true && !timeoutController.signal.aborted) throw context.signal.reason;
      if (isOutboundRefusal(error)) throw refused(context, error);
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

  /** Closes keep-alive connections; the transport reopens them on demand. */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close();
  }

  private agentFor(): Agent {
    this.agent ??= createGuardedAgent(this.policy.policy, {
      connectTimeoutMs: this.timeouts.connectTimeoutMs,
      // Our own timer enforces the total; these only stop undici's 300 s defaults from mattering.
      headersTimeout: this.timeouts.requestTimeoutMs,
      bodyTimeout: this.timeouts.requestTimeoutMs,
      keepAliveTimeout: 10_000,
      connections: 16,
    });
    return this.agent;
  }
}

/**
 * A refusal is a configuration problem (permanent: retrying cannot change the rule), names the
 * configuration key and no address. `cause` is kept off the error: it may say what a name resolved to.
 */
function refused(context: HttpCallContext, _cause: unknown): ElementRequestError {
  const key = context.configKey === undefined ? '' : ` (configuration '${context.configKey}')`;
  return new ElementRequestError(
    `${context.elementKey} ${context.operation}: ${OUTBOUND_REFUSED_MESSAGE}${key}`,
    {
      elementKey: context.elementKey,
      operation: context.operation,
      ...(context.configKey === undefined ? {} : { configKey: context.configKey }),
    },
  );
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
  // The code only: socket messages carry addresses and ports, which tenants read in lastError.
  return redactSecrets(`connection failed (${code ?? 'unknown'})`, secrets);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
