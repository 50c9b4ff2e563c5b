// One error class for everything an element call can fail with, classified by what the caller
// should do next. Messages carry the provider's status and message, never a token or secret.

export type ProviderErrorKind =
  /** The access token was rejected: refresh it, then retry once (see callWithTokenRefresh). */
  | 'unauthorized'
  /** Slow down; retry after `retryAfterMs` when the provider said so. */
  | 'rate_limited'
  /** Transient: 5xx, timeouts, connection failures, malformed bodies. Retry with backoff. */
  | 'retryable'
  /** Retrying the same request cannot help (other 4xx, negative Octopus `Code`, bad request/config). */
  | 'permanent';

export interface ProviderErrorDetails {
  readonly kind: ProviderErrorKind;
  readonly elementKey: string;
  /** What we were doing, e.g. `octopus/Read`, `oauth/token`. */
  readonly operation: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Octopus `Code` when the body carried one. */
  readonly providerCode?: number;
  /** The provider's own message (Octopus `Msg`, OAuth `error_description`, body excerpt). */
  readonly providerMessage?: string;
  /** RFC 6749 error code from the token endpoint (`invalid_grant`, `invalid_client`, …). */
  readonly oauthError?: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly elementKey: string;
  readonly operation: string;
  readonly status: number | undefined;
  readonly providerCode: number | undefined;
  readonly providerMessage: string | undefined;
  readonly oauthError: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProviderError';
    this.kind = details.kind;
    this.elementKey = details.elementKey;
    this.operation = details.operation;
    this.status = details.status;
    this.providerCode = details.providerCode;
    this.providerMessage = details.providerMessage;
    this.oauthError = details.oauthError;
    this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return this.kind !== 'permanent';
  }
}

/**
 * The request never reached the provider: unknown resource, malformed CEQL, missing configuration.
 * Always `permanent`. `position` is the 0-based character offset in the `where` string, when known.
 */
export class ElementRequestError extends ProviderError {
  readonly position: number | undefined;
  readonly configKey: string | undefined;

  constructor(
    message: string,
    details: { elementKey: string; operation: string; position?: number; configKey?: string },
  ) {
    super(message, { kind: 'permanent', elementKey: details.elementKey, operation: details.operation });
    this.name = 'ElementRequestError';
    this.position = details.position;
    this.configKey = details.configKey;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/**
 * `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds
 * from `nowMs`, never negative; undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

/** Classify an HTTP status that is not a success. */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  // 408 Request Timeout is the server telling us to try again.
  if (status >= 500 || status === 408) return 'retryable';
  return 'permanent';
}

/** Replace every occurrence of each secret (tokens, client secret) so messages can be logged. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const secret of secrets) {
    // Very short values would redact innocent text and are not worth protecting this way.
    if (secret !== undefined && secret.length >= 4) redacted = redacted.split(secret).join('[REDACTED]');
  }
  return redacted;
}

/**
 * Supplies access tokens. `forceRefresh: true` means the previous token (`rejectedToken`) was
 * refused with 401: refresh it (e.g. via adapter.refreshTokens), persist it, and return the new one.
 */
export type AccessTokenProvider = (request: {
  readonly forceRefresh: boolean;
  readonly rejectedToken?: string;
}) => Promise<string>;

/**
 * Runs `call` with the current token; on an `unauthorized` ProviderError, asks the provider for a
 * refreshed token and retries exactly once. A second 401 (or any other error) is thrown as is.
 */
export async function callWithTokenRefresh<T>(
  tokenProvider: AccessTokenProvider,
  call: (accessToken: string) => Promise<T>,
): Promise<T> {
  const accessToken = await tokenProvider({ forceRefresh: false });
  try {
    return await call(accessToken);
  } catch (error) {
    if (!(error instanceof ProviderError) || error.kind !== 'unauthorized') throw error;
    const refreshedToken = await tokenProvider({ forceRefresh: true, rejectedToken: accessToken });
    return call(refreshedToken);
  }
}
