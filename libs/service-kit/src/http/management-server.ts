// The management port: /metrics, /health/* and /internal/* on a port of their own (MANAGEMENT_PORT), so
// that a NetworkPolicy can admit the internal API only from the release's own pods and an Ingress never
// exposes metrics. The same Nest application serves both ports; the public one answers 404 there.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { port } from '../config/env-primitives';

export const managementEnvShape = {
  MANAGEMENT_PORT: port
    .optional()
    .describe('Port of /metrics, /health/* and /internal/* (then 404 on PORT); unset = all on PORT'),
};

const MANAGEMENT_PATHS = /^\/(metrics|health|internal)(\/|\?|$)/;
const FROM_MANAGEMENT_PORT = Symbol('fromManagementPort');

type MarkedRequest = IncomingMessage & { [FROM_MANAGEMENT_PORT]?: true };

export interface ManagementServer {
  url: string;
  close(): Promise<void>;
}

/** Call before `app.listen`: the public port's 404 for management paths must precede the routes. */
export function hideManagementPathsFromPublicPort(app: INestApplication): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request as MarkedRequest)[FROM_MANAGEMENT_PORT] || !MANAGEMENT_PATHS.test(request.url)) {
      next();
      return;
    }
    const given = request.headers['x-request-id'];
    response.status(404).json({
      requestId: typeof given === 'string' ? given : randomUUID(),
      message: `Cannot ${request.method} ${request.path}`,
    });
  });
}

/** Call after `app.listen`: a second HTTP server on the same handler, serving the management paths only. */
export async function listenManagementPort(
  app: INestApplication,
  managementPort: number,
  host: string,
): Promise<ManagementServer> {
  const handler = app.getHttpAdapter().getInstance() as RequestListener;
  const server: Server = createServer((request, response) => {
    if (!MANAGEMENT_PATHS.test(request.url ?? '')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ requestId: randomUUID(), message: 'not a management path' }));
      return;
    }
    (request as MarkedRequest)[FROM_MANAGEMENT_PORT] = true;
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(managementPort, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : managementPort;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
