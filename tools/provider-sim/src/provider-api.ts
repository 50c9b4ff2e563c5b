// The provider side: picks the provider by path prefix, applies the injected faults, reads the body
// (bounded), lets the provider answer and records the request (secret-free summary) in the request log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  cutInHalf,
  FaultTimers,
  json,
  type LoggedRequest,
  readBody,
  type Reply,
  send,
} from '@pollcast/tool-process';
import type { ProviderEndpoint } from './providers/provider';
import type { SimulatorParts } from './simulator-parts';

export class ProviderApi {
  private readonly timers = new FaultTimers();

  constructor(
    private readonly parts: SimulatorParts,
    private readonly providers: readonly ProviderEndpoint[],
  ) {}

  cancelTimers(): void {
    this.timers.cancel();
  }

  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const entry = this.parts.requests.start(method, path.slice(0, 300), this.parts.clock.now());
    const provider = this.providers.find((candidate) =>
      candidate.prefixes.some((prefix) => path.startsWith(prefix)),
    );
    const fault = provider
      ? this.parts.faults.take(path, [
          'rateLimit',
          'serverError',
          'slow',
          'timeout',
          'unauthorized',
          'malformedJson',
        ])
      : null;
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'timeout') {
      this.timers.hold(request, response, fault.holdMs ?? 300_000);
      return;
    }
    if (fault?.kind === 'slow') await this.timers.sleep(fault.delayMs ?? 0);
    let body: string;
    try {
      body = await readBody(request);
    } catch (error) {
      this.finish(
        response,
        entry,
        json(error instanceof BodyTooLargeError ? 413 : 400, { error: 'unreadable or oversized body' }),
        false,
      );
      return;
    }
    if (!provider) {
      this.finish(
        response,
        entry,
        json(404, {
          error: 'not_found',
          message: 'no simulated provider serves this path (GET /_sim lists them)',
        }),
        false,
      );
      return;
    }
    if (
      fault &&
      (fault.kind === 'rateLimit' || fault.kind === 'serverError' || fault.kind === 'unauthorized')
    ) {
      const status =
        fault.status ?? (fault.kind === 'rateLimit' ? 429 : fault.kind === 'serverError' ? 500 : 401);
      this.finish(
        response,
        entry,
        provider.faultReply(fault.kind, status, path, fault.retryAfterSeconds ?? 1),
        false,
      );
      return;
    }
    const started = process.hrtime.bigint();
    const reply = provider.handle({ method, path, query, body, headers: request.headers, entry });
    entry.serverMicros = Number((process.hrtime.bigint() - started) / 1000n);
    this.finish(response, entry, reply, fault?.kind === 'malformedJson');
  }

  private finish(response: ServerResponse, entry: LoggedRequest, reply: Reply, malformed: boolean): void {
    entry.status = reply.status;
    send(response, malformed ? cutInHalf(reply) : reply);
  }
}
