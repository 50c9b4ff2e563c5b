import {
  callWithTokenRefresh,
  ProviderError,
  type AccessTokenProvider,
  type ElementAdapter,
  type ElementConfiguration,
  type HubRequestPlan,
  type HubResponse,
} from '@pollcast/elements';
import { inSpan, SpanKind } from '@pollcast/telemetry';
import type { Env } from '../env';
import { pageRetryDelayMs } from '../schedule/timing';
import { sleep } from './rate-limiter';

export interface ProviderPageRequest {
  adapter: ElementAdapter;
  configuration: ElementConfiguration;
  /** Called per attempt, so a plan made lazily is made once and only when a page is really fetched. */
  plan: () => HubRequestPlan;
  pageToken: string | undefined;
  tokens: AccessTokenProvider;
  settings: Pick<Env, 'POLLER_PAGE_RETRIES' | 'POLLER_PAGE_RETRY_BASE_MS' | 'POLLER_MAX_IN_POLL_WAIT_MS'>;
  signal: AbortSignal;
  /** Before every attempt (a poll waits for its instance's rate limit here). */
  beforeAttempt?: () => Promise<void>;
  /** After a transient failure that will be retried. */
  onRetry?: (kind: ProviderError['kind']) => void;
}

/**
 * One provider page, as polls and reconciliations fetch it: a 401 gets one fresh token
 * (callWithTokenRefresh); 429 waits Retry-After, 5xx / timeouts back off, up to POLLER_PAGE_RETRIES;
 * a wait longer than POLLER_MAX_IN_POLL_WAIT_MS ends the work instead (the schedule retries it later).
 */
export async function fetchProviderPage(request: ProviderPageRequest): Promise<HubResponse> {
  const { adapter, settings, signal } = request;
  for (let attempt = 0; ; attempt += 1) {
    await request.beforeAttempt?.();
    try {
      return await callWithTokenRefresh(request.tokens, (accessToken) =>
        // No traceparent to the provider: our trace ids are nothing a third party needs.
        inSpan('provider request', { kind: SpanKind.CLIENT }, () =>
          adapter.executeHubRequest({
            configuration: request.configuration,
            accessToken,
            plan: request.plan(),
            pageToken: request.pageToken,
            signal,
          }),
        ),
      );
    } catch (error) {
      if (signal.aborted) throw error;
      const transient =
        error instanceof ProviderError && (error.kind === 'rate_limited' || error.kind === 'retryable');
      if (!transient || attempt >= settings.POLLER_PAGE_RETRIES) throw error;
      const delayMs = error.retryAfterMs ?? pageRetryDelayMs(attempt, settings.POLLER_PAGE_RETRY_BASE_MS);
      if (delayMs > settings.POLLER_MAX_IN_POLL_WAIT_MS) throw error;
      request.onRetry?.(error.kind);
      await sleep(delayMs, signal);
    }
  }
}
