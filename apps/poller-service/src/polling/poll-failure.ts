import { DateTemplateError } from '@pollcast/date-template';
import { ProviderError, UnknownElementError } from '@pollcast/elements';
import { AccessTokenError } from './access-token.cache';

/** Why a poll failed, in the terms the schedule and the API use. */
export interface PollFailure {
  kind: string;
  message: string;
  permanent: boolean;
  retryAfterMs?: number;
}

/** A window with more pages than POLLER_MAX_PAGES_PER_POLL: a configuration problem, not a transient one. */
export class PollLimitError extends Error {}

/** What a failure means for the schedule: permanent ones go straight to "error" and the capped rate. */
export function describeFailure(error: unknown): PollFailure {
  if (error instanceof ProviderError) {
    return {
      kind: `provider_${error.kind}`,
      message: error.message,
      permanent: error.kind === 'permanent',
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof AccessTokenError) {
    return { kind: `token_${error.kind}`, message: error.message, permanent: error.permanent };
  }
  if (
    error instanceof DateTemplateError ||
    error instanceof UnknownElementError ||
    error instanceof PollLimitError
  ) {
    return { kind: 'configuration', message: error.message, permanent: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message, permanent: false };
}
