import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import { SpanKind, startSpan } from './spans';

/** What Express adds to a request once a route matched. */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

export interface HttpServerTracingOptions {
  /** Requests whose path matches are not traced (health probes, metrics scrapes). */
  ignorePaths?: RegExp;
}

/**
 * Express middleware: one SERVER span per request, continuing the caller's `traceparent`, named
 * `METHOD /route/:param` once the router matched (the raw path until then: ids stay out of names).
 * The request and response emitters are bound to the span's context, so body parsing and everything
 * the handler awaits run inside it. Register it first, and only when tracing is on.
 */
export function httpServerTracing(
  options: HttpServerTracingOptions = {},
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (options.ignorePaths?.test(path)) {
      next();
      return;
    }
    const method = request.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = startSpan(method, {
      kind: SpanKind.SERVER,
      parent,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: method },
    });
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const routed = request as RoutedRequest;
      if (typeof routed.route?.path === 'string') {
        const route = `${routed.baseUrl ?? ''}${routed.route.path}`;
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      if (response.statusCode >= 500 || !response.writableFinished)
        span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    context.bind(active, request);
    context.bind(active, response);
    context.with(active, next);
  };
}
