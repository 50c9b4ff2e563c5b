// The simulator's HTTP plumbing shared by the provider endpoints and the control API: a reply as
// data (status, body, type, headers), how it is written, and a bounded body reader.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
/** Larger bodies are refused (413) before they are buffered whole. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, ...(headers ? { headers } : {}) };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function htmlPage(status: number, title: string, bodyHtml: string): Reply {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${bodyHtml}</body></html>`,
  };
}

export class BodyTooLargeError extends Error {}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('body too large'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
  if (reply.body.length > 0 || reply.status !== 302) {
    headers['Content-Type'] = reply.contentType ?? JSON_TYPE;
  }
  headers['Content-Length'] = Buffer.byteLength(reply.body);
  response.writeHead(reply.status, headers);
  response.end(reply.body);
}
