/** A small fetch-based client for the simulator: used by its tests and handy for other tests and scripts. */
import { type HttpResult, SimControlClient, toHttpResult } from '@pollcast/tool-process';

export type { HttpResult } from '@pollcast/tool-process';

export class SimulatorClient extends SimControlClient {
  /** POST /octopus/{operation} with a Bearer token. */
  async octopus<T = unknown>(
    operation: string,
    body: unknown,
    accessToken: string,
    init: { signal?: AbortSignal } = {},
  ): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}/octopus/${operation}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    return toHttpResult<T>(response);
  }

  /** POST /OAuth2/{alias}/Token with a form body. */
  async token<T = unknown>(form: Record<string, string>, alias = 'sim'): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}/OAuth2/${alias}/Token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return toHttpResult<T>(response);
  }
}
