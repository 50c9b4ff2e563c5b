// GitHub REST: GET /repos/{owner}/{repo}/issues with state, sort, direction, since, per_page (≤ 100)
// and page; Link header paging (first / prev / next / last); token auth (Bearer or token), the primary
// rate limit in X-RateLimit-* headers (403 when spent) and, as a fault, the secondary rate limit (403 or
// 429 with Retry-After).
import { json, type Reply } from '@pollcast/tool-process';
import type { SimRecord } from '../records';
import {
  bearerToken,
  isoSeconds,
  type ProviderContext,
  type ProviderEndpoint,
  type ProviderFaultKind,
  type ProviderRequest,
} from './provider';

const DOCS = 'https://docs.github.com/rest/issues/issues#list-repository-issues';
const RATE_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
const HOUR_MS = 3600_000;

export interface GitHubRateLimitSettings {
  /** Requests per hour per token (5000 as for a personal access token); 60 without a token. */
  limit: number;
  /** Left in the current window (default: the whole limit). */
  remaining?: number;
}

interface Budget {
  limit: number;
  used: number;
  resetMs: number;
}

export class GitHubProvider implements ProviderEndpoint {
  readonly name = 'github' as const;
  readonly prefixes = ['/repos/'] as const;
  private readonly budgets = new Map<string, Budget>();
  private limit = 5000;

  constructor(private readonly context: ProviderContext) {}

  reset(): void {
    this.budgets.clear();
    this.limit = 5000;
  }

  /** Sets the hourly limit of every token and, optionally, how much is left now. */
  setRateLimit(settings: GitHubRateLimitSettings): { limit: number; remaining: number; reset: number } {
    this.limit = settings.limit;
    const now = this.context.clock.nowMs();
    const remaining = Math.min(settings.remaining ?? settings.limit, settings.limit);
    for (const budget of this.budgets.values()) {
      budget.limit = settings.limit;
      budget.used = settings.limit - remaining;
    }
    this.defaultUsed = settings.limit - remaining;
    return { limit: settings.limit, remaining, reset: Math.ceil((now + HOUR_MS) / 1000) };
  }

  /** Used count a token starts with (after setRateLimit with remaining). */
  private defaultUsed = 0;

  faultReply(kind: ProviderFaultKind, status: number, _path: string, retryAfterSeconds: number): Reply {
    switch (kind) {
      case 'rateLimit':
        return json(
          status,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
            documentation_url: `${RATE_DOCS}#about-secondary-rate-limits`,
            status: String(status),
          },
          { 'Retry-After': String(retryAfterSeconds) },
        );
      case 'serverError':
        return json(status, { message: 'Server Error', status: String(status) });
      case 'unauthorized':
        return badCredentials();
    }
  }

  handle(request: ProviderRequest): Reply {
    const match = /^\/repos\/([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})\/issues$/.exec(request.path);
    if (!match)
      return json(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    const hasAuthorization = typeof request.headers.authorization === 'string';
    const token = bearerToken(request.headers, ['Bearer', 'token']);
    if (hasAuthorization && (token === null || !this.context.credentials.isValid('github', token))) {
      return badCredentials();
    }
    const budget = this.budget(token ?? '(anonymous)', token === null ? 60 : this.limit);
    const rateHeaders = (): Record<string, string> => ({
      'X-RateLimit-Limit': String(budget.limit),
      'X-RateLimit-Remaining': String(Math.max(0, budget.limit - budget.used)),
      'X-RateLimit-Used': String(budget.used),
      'X-RateLimit-Reset': String(Math.ceil(budget.resetMs / 1000)),
      'X-RateLimit-Resource': 'core',
    });
    if (budget.used >= budget.limit) {
      return json(
        403,
        {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url: `${RATE_DOCS}#about-the-primary-rate-limit`,
          status: '403',
        },
        rateHeaders(),
      );
    }
    budget.used += 1;
    if (request.method !== 'GET')
      return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, rateHeaders());
    const repository = `${match[1]}/${match[2]}`;
    const query = request.query;
    const invalid = (field: string): Reply =>
      json(
        422,
        {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field, code: 'invalid' }],
          documentation_url: DOCS,
          status: '422',
        },
        rateHeaders(),
      );
    const state = query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) return invalid('state');
    const sort = query.get('sort') ?? 'created';
    if (!['created', 'updated', 'comments'].includes(sort)) return invalid('sort');
    const direction = query.get('direction') ?? 'desc';
    if (!['asc', 'desc'].includes(direction)) return invalid('direction');
    const sinceText = query.get('since');
    let since: number | null = null;
    if (sinceText !== null) {
      // ISO 8601: YYYY-MM-DDTHH:MM:SSZ (offsets and fractions accepted).
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(sinceText))
        return invalid('since');
      since = Date.parse(sinceText);
      if (Number.isNaN(since)) return invalid('since');
    }
    const perPage = clampInteger(query.get('per_page'), 30, 1, 100);
    const page = clampInteger(query.get('page'), 1, 1, 100_000_000);
    request.entry.summary = {
      operation: 'listIssues',
      repository,
      state,
      sort,
      direction,
      since: sinceText,
      perPage,
      page,
    };
    const collection = this.context.store.find('github', repository);
    if (!collection)
      return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, rateHeaders());
    const all = collection.all();
    // "Only show results that were last updated after the given time": GitHub's filter is inclusive.
    const start = since === null ? 0 : collection.lowerBound(since, true);
    const found: SimRecord[] = [];
    for (let index = start; index < all.length; index++) {
      const record = all[index];
      if (record && (state === 'all' || record.fields['state'] === state)) found.push(record);
    }
    if (!(sort === 'updated' && direction === 'asc')) {
      const key = (record: SimRecord): number =>
        sort === 'updated'
          ? record.updatedMs
          : sort === 'created'
            ? record.createdMs
            : Number(record.fields['comments'] ?? 0);
      const sign = direction === 'asc' ? 1 : -1;
      found.sort((a, b) => sign * (key(a) - key(b) || a.seq - b.seq));
    }
    const lastPage = Math.max(1, Math.ceil(found.length / perPage));
    const items = found
      .slice((page - 1) * perPage, page * perPage)
      .map((record) => this.render(record, repository));
    const headers = rateHeaders();
    const link = this.link(request, page, lastPage);
    if (link) headers['Link'] = link;
    return json(200, items, headers);
  }

  private budget(key: string, limit: number): Budget {
    const now = this.context.clock.nowMs();
    let budget = this.budgets.get(key);
    if (!budget || budget.resetMs <= now) {
      budget = { limit, used: budget ? 0 : this.defaultUsed, resetMs: now + HOUR_MS };
      this.budgets.set(key, budget);
    }
    return budget;
  }

  private link(request: ProviderRequest, page: number, lastPage: number): string | null {
    const target = (to: number): string => {
      const params = new URLSearchParams(request.query);
      params.set('page', String(to));
      return `<${this.context.baseUrl()}${request.path}?${params.toString()}>`;
    };
    const parts: string[] = [];
    if (page > 1) parts.push(`${target(page - 1)}; rel="prev"`);
    if (page < lastPage) parts.push(`${target(page + 1)}; rel="next"`, `${target(lastPage)}; rel="last"`);
    if (page > 1) parts.push(`${target(1)}; rel="first"`);
    return parts.length > 0 ? parts.join(', ') : null;
  }

  private render(record: SimRecord, repository: string): Record<string, unknown> {
    const base = this.context.baseUrl();
    const number = Number(record.id);
    const login = String(record.fields['user'] ?? 'octocat');
    const state = record.fields['state'] === 'closed' ? 'closed' : 'open';
    const { title = null, body = null, comments = 0 } = record.fields;
    return {
      url: `${base}/repos/${repository}/issues/${number}`,
      repository_url: `${base}/repos/${repository}`,
      html_url: `https://github.com/${repository}/issues/${number}`,
      id: 1_000_000_000 + record.seq,
      node_id: Buffer.from(`I_${repository}#${number}`).toString('base64url'),
      number,
      title,
      user: { login, id: 1000 + login.length, type: 'User' },
      labels: [],
      state,
      locked: false,
      assignee: null,
      assignees: [],
      comments,
      created_at: isoSeconds(record.createdMs),
      updated_at: isoSeconds(record.updatedMs),
      closed_at: state === 'closed' ? isoSeconds(record.updatedMs) : null,
      author_association: 'MEMBER',
      body,
    };
  }
}

function badCredentials(): Reply {
  return json(401, {
    message: 'Bad credentials',
    documentation_url: 'https://docs.github.com/rest',
    status: '401',
  });
}

/** GitHub clamps per_page to 100 and treats junk as the default. */
function clampInteger(text: string | null, fallback: number, min: number, max: number): number {
  if (text === null || !/^\d{1,12}$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}
