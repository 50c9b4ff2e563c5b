import { HttpStatus } from '@nestjs/common';
import { ElementRequestError, isProviderError } from '@pollcast/elements';
import { DomainError, ErrorCode, RequestValidationError } from '@pollcast/service-kit';

/**
 * How a provider failure during a request (code exchange, authorize URL) reaches the client: bad
 * configuration or a refused grant → 400 naming the field; provider trouble → 502/503 (with
 * Retry-After when the provider gave one). Provider errors never carry secrets (elements' contract).
 */
export function providerFailureToHttp(error: unknown, codePath = 'providerData.code'): Error {
  if (error instanceof ElementRequestError) {
    const path = error.configKey === undefined ? 'configuration' : `configuration.${error.configKey}`;
    return new RequestValidationError('The instance configuration cannot be used with this element', [
      { path, message: error.message },
    ]);
  }
  if (!isProviderError(error)) return error instanceof Error ? error : new Error(String(error));
  const detail = error.providerMessage ?? error.oauthError ?? error.message;
  switch (error.kind) {
    case 'permanent':
    case 'unauthorized':
      return new RequestValidationError('The provider refused the authorization', [
        {
          path: error.oauthError === 'invalid_client' ? 'configuration.oauth.api.key' : codePath,
          message: `${error.elementKey} answered ${error.status ?? ''} ${detail}`.replace(/\s+/g, ' ').trim(),
        },
      ]);
    case 'rate_limited':
      return new DomainError(
        ErrorCode.PROVIDER_RATE_LIMITED,
        `${error.elementKey} is rate limiting requests; retry later`,
        HttpStatus.SERVICE_UNAVAILABLE,
        { 'Retry-After': String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))) },
      );
    case 'retryable':
      return new DomainError(
        ErrorCode.PROVIDER_UNAVAILABLE,
        `${error.elementKey} could not be reached or answered with an error (${detail}); retry later`,
        HttpStatus.BAD_GATEWAY,
        error.retryAfterMs === undefined
          ? {}
          : { 'Retry-After': String(Math.ceil(error.retryAfterMs / 1000)) },
      );
  }
}
