/** What the simulator received on its provider endpoints (OAuth and Octopus), newest last. */
export interface LoggedRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** Simulator time when the request arrived, ISO-8601 UTC. */
  readonly at: string;
  /** HTTP status sent; 0 when no answer was sent (timeout fault, client gone). */
  status: number;
  /** Server-side handling time in microseconds (body parsed → response written; excludes fault delays). */
  serverMicros: number;
  /** Kind of the fault that fired on this request, if any. */
  fault?: string;
  /** A short, secret-free summary of the body: entity, operation, criteria, paging; grant type for OAuth. */
  summary?: Record<string, unknown>;
}

export interface RequestQuery {
  since?: number;
  path?: string;
  limit?: number;
}

/** A ring buffer so a long benchmark or demo cannot exhaust memory. */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  start(method: string, path: string, at: Date): LoggedRequest {
    this.seq += 1;
    const entry: LoggedRequest = {
      seq: this.seq,
      method,
      path,
      at: at.toISOString(),
      status: 0,
      serverMicros: 0,
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity * 1.1) this.entries = this.entries.slice(-this.capacity);
    return entry;
  }

  list(query: RequestQuery = {}): LoggedRequest[] {
    const since = query.since ?? 0;
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const found: LoggedRequest[] = [];
    for (const entry of this.entries.slice(-this.capacity)) {
      if (found.length >= limit) break;
      if (entry.seq <= since) continue;
      if (query.path !== undefined && entry.path !== query.path) continue;
      found.push({ ...entry });
    }
    return found;
  }

  clear(): void {
    this.entries = [];
  }
}
