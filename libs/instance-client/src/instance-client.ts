import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { inHttpClientSpan } from '@pollcast/telemetry';
import {
  accessTokenGrantSchema,
  deliveryInfoSchema,
  principalSchema,
  type AccessTokenGrant,
  type AccessTokenRequestBody,
  type DisableEventsBody,
  type DeliveryInfo,
  type Principal,
  type VerifyAuthorizationBody,
} from '@pollcast/contracts';

export interface InstanceClientOptions {
  /** INSTANCE_SERVICE_URL. */
  baseUrl: string;
  /** POLLCAST_SERVICE_TOKEN, sent as X-Pollcast-Service-Token. */
  serviceToken: string;
  /** For the answer's headers, and again for its body (default 5 s). */
  timeoutMs?: number;
}

/** Why instance-service could not be used: it did not answer (connection, timeout), answered a status
 * its endpoint does not document as a refusal (5xx, 401 for a wrong service token…), or answered a
 * body that does not match its schema. Transient: ask again later. */
export type UnavailableFailure = 'no_answer' | 'error_status' | 'unexpected_body';

export class InstanceServiceUnavailableError extends Error {
  constructor(
    message: string,
    readonly failure: UnavailableFailure,
    /** The status instance-service answered; null when it did not answer. */
    readonly status: number | null,
    /** The connection error's message, or the `message` of the answer (else its first 300 characters). */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** instance-service answered with a refusal its endpoint documents (verify: 400/401/403; instance
 * endpoints: 404; access-token: 409). Final: asking again gives the same answer. */
export class InstanceServiceRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The answer's `message` when it is a string. */
    readonly upstreamMessage: string | undefined,
    /** The answer as text, at most 300 characters. */
    readonly bodyText: string,
  ) {
    super(message);
  }
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  /** How errors name the endpoint: the path with `{id}` for the instance id (ids stay out of messages). */
  endpoint: string;
  body?: unknown;
  /** Statuses this endpoint documents as refusals (InstanceServiceRefusedError); 2xx is success,
   * every other status InstanceServiceUnavailableError. */
  refusals: readonly number[];
  signal?: AbortSignal;
}

const REASON_LENGTH = 300;

/**
 * The one client of instance-service's internal API (docs/internal-api.md): one method per endpoint,
 * one transport (undici, the service token, timeouts, answers validated by their zod schema from
 * @pollcast/contracts, which also holds the request bodies the server validates). It keeps nothing: callers cache what they may reuse, for as long as they may.
 */
export class InstanceClient {
  constructor(private readonly options: InstanceClientOptions) {}

  /** POST /internal/auth/verify. Refused (400/401/403): the credentials, not instance-service. */
  async verifyAuthorization(authorization: string): Promise<Principal> {
    return this.json(principalSchema, {
      method: 'POST',
      path: '/internal/auth/verify',
      endpoint: 'POST /internal/auth/verify',
      body: { authorization } satisfies VerifyAuthorizationBody,
      refusals: [400, 401, 403],
    });
  }

  /** POST /internal/instances/{id}/access-token. Refused: 404 unknown instance, 409 credentials invalid.
   * An abort of `signal` rejects with the abort's own error, not as unavailable. */
  async accessToken(
    instanceId: string,
    body: AccessTokenRequestBody,
    signal?: AbortSignal,
  ): Promise<AccessTokenGrant> {
    return this.json(accessTokenGrantSchema, {
      method: 'POST',
      path: `/internal/instances/${encodeURIComponent(instanceId)}/access-token`,
      endpoint: 'POST /internal/instances/{id}/access-token',
      body: { forceRefresh: body.forceRefresh, rejectedToken: body.rejectedToken },
      refusals: [404, 409],
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** GET /internal/instances/{id}/delivery (the signature key in clear). Refused: 404 unknown instance. */
  async deliveryInfo(instanceId: string): Promise<DeliveryInfo> {
    return this.json(deliveryInfoSchema, {
      method: 'GET',
      path: `/internal/instances/${encodeURIComponent(instanceId)}/delivery`,
      endpoint: 'GET /internal/instances/{id}/delivery',
      refusals: [404],
    });
  }

  /** POST /internal/instances/{id}/events/disable. Refused: 404 unknown instance. */
  async disableEvents(instanceId: string, reason: string): Promise<void> {
    await this.send({
      method: 'POST',
      path: `/internal/instances/${encodeURIComponent(instanceId)}/events/disable`,
      endpoint: 'POST /internal/instances/{id}/events/disable',
      body: { reason } satisfies DisableEventsBody,
      refusals: [404],
    });
  }

  private async json<T extends z.ZodType>(schema: T, call: Call): Promise<z.output<T>> {
    const answer = await this.send(call);
    const parsed = schema.safeParse(safeJson(answer.text));
    if (!parsed.success) {
      throw new InstanceServiceUnavailableError(
        `instance-service answered ${call.endpoint} with an unexpected body`,
        'unexpected_body',
        answer.status,
        'unexpected body',
      );
    }
    return parsed.data;
  }

  private async send(call: Call): Promise<{ status: number; text: string }> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      const url = new URL(call.path, this.options.baseUrl);
      // A CLIENT span whose traceparent instance-service continues: its work shows in the caller's trace.
      [response, text] = await inHttpClientSpan(
        { name: call.endpoint, method: call.method, url },
        async (traceHeaders) => {
          const answer = await request(url, {
            method: call.method,
            headers: {
              ...traceHeaders,
              'x-pollcast-service-token': this.options.serviceToken,
              ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
            ...(call.signal === undefined ? {} : { signal: call.signal }),
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          });
          return [answer, await answer.body.text()] as const;
        },
        ([answer]) => answer.statusCode,
      );
    } catch (error) {
      if (call.signal?.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new InstanceServiceUnavailableError(
        `instance-service did not answer ${call.endpoint}: ${reason}`,
        'no_answer',
        null,
        reason,
      );
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { status, text };
    const upstreamMessage = messageOf(safeJson(text));
    const bodyText = text.slice(0, REASON_LENGTH);
    if (call.refusals.includes(status)) {
      throw new InstanceServiceRefusedError(
        `instance-service refused ${call.endpoint} (${status}): ${upstreamMessage ?? bodyText}`,
        status,
        upstreamMessage,
        bodyText,
      );
    }
    const reason = upstreamMessage?.slice(0, REASON_LENGTH) ?? bodyText;
    throw new InstanceServiceUnavailableError(
      `instance-service answered ${status} to ${call.endpoint}: ${reason}`,
      'error_status',
      status,
      reason,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
    ? body.message
    : undefined;
}
