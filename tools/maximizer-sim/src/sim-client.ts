/** A small fetch-based client for the simulator: used by its tests and handy for other tests and scripts. */
export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly body: T;
}

async function toResult<T>(response: Response): Promise<HttpResult<T>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: body as T };
}

export class SimulatorClient {
  constructor(readonly baseUrl: string) {}

  /** Calls the /_sim control API. */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return toResult<T>(response);
  }

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
    return toResult<T>(response);
  }

  /** POST /OAuth2/{alias}/Token with a form body. */
  async token<T = unknown>(form: Record<string, string>, alias = 'sim'): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}/OAuth2/${alias}/Token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return toResult<T>(response);
  }
}
