// Zendesk: the cursor-based incremental ticket export, GET /api/v2/incremental/tickets/cursor.json
// with start_time (epoch seconds) on the first request and cursor afterwards; answers {tickets,
// after_url, after_cursor, before_url, before_cursor, end_of_stream}. HTTP Basic `email/token:apitoken`.
// As documented, tickets changed within the minute before the request are left out; deleted tickets
// stay in the stream with status "deleted" unless exclude_deleted=true.
import { json, type Reply } from '@pollcast/tool-process';
import type { Collection, SimRecord } from '../records';
import {
  isoSeconds,
  type ProviderContext,
  type ProviderEndpoint,
  type ProviderFaultKind,
  type ProviderRequest,
} from './provider';

const PATH = '/api/v2/incremental/tickets/cursor.json';
/** Items changed within this span before the request are excluded (Zendesk: one minute). */
const SETTLE_MS = 60_000;
const MAX_PER_PAGE = 1000;

const zendeskError = (
  status: number,
  error: string,
  description?: string,
  headers?: Record<string, string>,
): Reply => json(status, description === undefined ? { error } : { error, description }, headers);

/** Zendesk-like opaque cursor: base64 of "<updated seconds>.0||<id>|" — the last ticket handed out. */
function encodeCursor(updatedMs: number, seq: number): string {
  return Buffer.from(`${Math.floor(updatedMs / 1000)}.0||${seq}|`).toString('base64');
}

function decodeCursor(cursor: string): { updatedMs: number; seq: number } | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9+/=_-]+$/.test(cursor)) return null;
  const match = /^(\d{1,12})\.0\|\|(\d{1,12})\|$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match ? { updatedMs: Number(match[1]) * 1000, seq: Number(match[2]) } : null;
}

export class ZendeskProvider implements ProviderEndpoint {
  readonly name = 'zendesk' as const;
  readonly prefixes = ['/api/v2/'] as const;

  constructor(private readonly context: ProviderContext) {}

  faultReply(kind: ProviderFaultKind, status: number, _path: string, retryAfterSeconds: number): Reply {
    switch (kind) {
      case 'rateLimit':
        return zendeskError(
          status,
          'APIRateLimitExceeded',
          'Number of allowed API requests per minute exceeded',
          {
            'Retry-After': String(retryAfterSeconds),
          },
        );
      case 'serverError':
        return zendeskError(status, 'ServerError', `Simulated HTTP ${status}`);
      case 'unauthorized':
        return unauthorized();
    }
  }

  handle(request: ProviderRequest): Reply {
    if (request.path !== PATH) return zendeskError(404, 'InvalidEndpoint', 'Not found');
    if (request.method !== 'GET') return zendeskError(405, 'MethodNotAllowed');
    if (!this.authenticated(request.headers.authorization)) return unauthorized();
    const { query } = request;
    const startText = query.get('start_time');
    const cursorText = query.get('cursor');
    const perPageText = query.get('per_page');
    const excludeDeleted = query.get('exclude_deleted') === 'true';
    request.entry.summary = {
      operation: 'incrementalTickets',
      start_time: startText?.slice(0, 20) ?? null,
      cursor: cursorText?.slice(0, 100) ?? null,
      per_page: perPageText?.slice(0, 10) ?? null,
    };
    let perPage = MAX_PER_PAGE;
    if (perPageText !== null) {
      if (!/^\d{1,7}$/.test(perPageText) || Number(perPageText) < 1) {
        return zendeskError(400, 'InvalidPaginationParameter', 'per_page must be a positive integer');
      }
      perPage = Math.min(MAX_PER_PAGE, Number(perPageText));
    }
    const now = this.context.clock.nowMs();
    const collection = this.context.store.find('zendesk', 'tickets');
    let start: number;
    if (cursorText !== null) {
      const position = decodeCursor(cursorText);
      if (!position) return zendeskError(400, 'InvalidPaginationParameter', 'cursor is invalid');
      start = collection ? collection.after(position.updatedMs, position.seq) : 0;
    } else if (startText !== null) {
      if (!/^\d{1,12}$/.test(startText))
        return zendeskError(400, 'InvalidValue', 'start_time must be a Unix epoch time in seconds');
      const startMs = Number(startText) * 1000;
      if (startMs > now) return zendeskError(422, 'InvalidValue', 'start_time is in the future');
      start = collection ? collection.lowerBound(startMs, true) : 0;
    } else {
      return zendeskError(400, 'InvalidPaginationParameter', 'start_time or cursor is required');
    }
    return this.page(collection, start, perPage, now - SETTLE_MS, excludeDeleted, cursorText, request);
  }

  private page(
    collection: Collection | undefined,
    start: number,
    perPage: number,
    settledMs: number,
    excludeDeleted: boolean,
    requestCursor: string | null,
    request: ProviderRequest,
  ): Reply {
    const all = collection?.all() ?? [];
    const tickets: SimRecord[] = [];
    let index = start;
    let last: SimRecord | undefined;
    for (; index < all.length && tickets.length < perPage; index++) {
      const record = all[index];
      if (!record || record.updatedMs > settledMs) break;
      last = record;
      if (excludeDeleted && record.deleted) continue;
      tickets.push(record);
    }
    const next = all[index];
    const endOfStream = next === undefined || next.updatedMs > settledMs;
    // With nothing new, the cursor stays where the request started (a start_time becomes a position).
    const before = all[start - 1];
    const afterCursor = last
      ? encodeCursor(last.updatedMs, last.seq)
      : (requestCursor ?? (before ? encodeCursor(before.updatedMs, before.seq) : encodeCursor(0, 0)));
    const first = tickets[0];
    const base = `${this.context.baseUrl()}${PATH}`;
    const extra = `${request.query.get('per_page') !== null ? `&per_page=${perPage}` : ''}${excludeDeleted ? '&exclude_deleted=true' : ''}`;
    const beforeCursor = first ? encodeCursor(first.updatedMs, first.seq - 1) : null;
    return json(200, {
      tickets: tickets.map((ticket) => this.render(ticket)),
      after_url: `${base}?cursor=${encodeURIComponent(afterCursor)}${extra}`,
      after_cursor: afterCursor,
      before_url: beforeCursor === null ? null : `${base}?cursor=${encodeURIComponent(beforeCursor)}${extra}`,
      before_cursor: beforeCursor,
      end_of_stream: endOfStream,
    });
  }

  private authenticated(header: string | undefined): boolean {
    if (typeof header !== 'string' || !header.startsWith('Basic ') || header.length > 8192) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) return false;
    // `email/token:apitoken` as Zendesk's API token form; the credential store keeps that very string.
    return this.context.credentials.isValid('zendesk', decoded);
  }

  private render(record: SimRecord): Record<string, unknown> {
    const { subject = null, description = null, priority = null } = record.fields;
    const status = record.deleted ? 'deleted' : (record.fields['status'] ?? 'open');
    return {
      url: `${this.context.baseUrl()}/api/v2/tickets/${record.id}.json`,
      id: Number(record.id),
      external_id: null,
      via: { channel: 'api' },
      created_at: isoSeconds(record.createdMs),
      updated_at: isoSeconds(record.updatedMs),
      generated_timestamp: Math.floor(record.updatedMs / 1000),
      type: null,
      subject,
      raw_subject: subject,
      description,
      priority,
      status,
      requester_id: 1000 + (record.seq % 97),
      submitter_id: 1000 + (record.seq % 97),
      assignee_id: null,
      organization_id: null,
      group_id: null,
      tags: [],
      custom_fields: [],
    };
  }
}

function unauthorized(): Reply {
  return zendeskError(401, "Couldn't authenticate you", undefined, {
    'WWW-Authenticate': 'Basic realm="Web Password"',
  });
}
