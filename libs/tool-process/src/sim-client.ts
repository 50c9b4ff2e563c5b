/** What the simulators' fetch clients share: the result shape and the /_sim control call. */
export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly body: T;
}

export async function toHttpResult<T>(response: Response): Promise<HttpResult<T>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: body as T };
}

export class SimControlClient {
  constructor(readonly baseUrl: string) {}

  /** Calls the /_sim control API (a string body is sent as is). */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return toHttpResult<T>(response);
  }
}
