/** A small fetch-based client for the provider simulator: its tests use it, and so can any test or script. */
import { type HttpResult, SimControlClient, toHttpResult } from '@pollcast/tool-process';
import { zendeskToken } from './credentials';

export type { HttpResult } from '@pollcast/tool-process';

export class ProviderSimClient extends SimControlClient {
  /** Any provider request: `path` with its query string, relative to the simulator (or absolute). */
  async request<T = unknown>(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
  ): Promise<HttpResult<T>> {
    const url = /^https?:/.test(path) ? path : `${this.baseUrl}${path}`;
    const response = await fetch(url, {
      method,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return toHttpResult<T>(response);
  }

  /** Salesforce: GET /services/data/v{version}/query?q=… (or a nextRecordsUrl). */
  salesforceQuery<T = unknown>(
    soqlOrNextUrl: string,
    accessToken: string,
    version = '59.0',
  ): Promise<HttpResult<T>> {
    const path = soqlOrNextUrl.startsWith('/services/')
      ? soqlOrNextUrl
      : `/services/data/v${version}/query?q=${encodeURIComponent(soqlOrNextUrl)}`;
    return this.request<T>('GET', path, { headers: { authorization: `Bearer ${accessToken}` } });
  }

  /** Salesforce: POST /services/oauth2/token with a form body. */
  salesforceToken<T = unknown>(form: Record<string, string>): Promise<HttpResult<T>> {
    return this.request<T>('POST', '/services/oauth2/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** HubSpot: POST /crm/v3/objects/{objectType}/search. */
  hubspotSearch<T = unknown>(objectType: string, body: unknown, token: string): Promise<HttpResult<T>> {
    return this.request<T>('POST', `/crm/v3/objects/${objectType}/search`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** GitHub: GET /repos/{owner}/{repo}/issues?… (or a Link URL). */
  githubIssues<T = unknown>(
    repositoryOrUrl: string,
    params: Record<string, string>,
    token: string | null,
    signal?: AbortSignal,
  ): Promise<HttpResult<T>> {
    const path = /^https?:/.test(repositoryOrUrl)
      ? repositoryOrUrl
      : `/repos/${repositoryOrUrl}/issues?${new URLSearchParams(params).toString()}`;
    return this.request<T>('GET', path, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    });
  }

  /** Zendesk: GET /api/v2/incremental/tickets/cursor.json?… (or an after_url), HTTP Basic `email/token:apitoken`. */
  zendeskTickets<T = unknown>(
    paramsOrUrl: Record<string, string> | string,
    email: string,
    apiToken: string,
  ): Promise<HttpResult<T>> {
    const path =
      typeof paramsOrUrl === 'string'
        ? paramsOrUrl
        : `/api/v2/incremental/tickets/cursor.json?${new URLSearchParams(paramsOrUrl).toString()}`;
    const basic = Buffer.from(zendeskToken(email, apiToken)).toString('base64');
    return this.request<T>('GET', path, { headers: { authorization: `Basic ${basic}` } });
  }
}
