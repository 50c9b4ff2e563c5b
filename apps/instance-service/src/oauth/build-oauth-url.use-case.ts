import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, RequestValidationError } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ENV } from '../tokens';
import { deploymentDefaultsFor, findElement } from './element-config';
import { providerFailureToHttp } from './provider-errors';

/** Query parameter names of Open Connectors' oauth/url call, and the configuration keys they stand for. */
const OAUTH_QUERY_KEYS: Record<string, string> = {
  apiKey: 'oauth.api.key',
  callbackUrl: 'oauth.callback.url',
  siteAddress: 'maximizer.url',
};

function firstString(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/** GET /elements/{key}/oauth/url: the provider's authorize URL for the query's OAuth parameters. */
@Injectable()
export class BuildOAuthUrl {
  constructor(@Inject(ENV) private readonly env: Env) {}

  execute(key: string, query: Record<string, unknown>): { oauthUrl: string; element: string } {
    const element = findElement(key);
    if (element === undefined)
      throw new DomainError(ErrorCode.NOT_FOUND, `No element '${key.slice(0, 100)}'`, HttpStatus.NOT_FOUND);
    const given: Record<string, string> = {};
    for (const [name, value] of Object.entries(query)) {
      const text = firstString(value);
      if (text === undefined) continue;
      const configKey = OAUTH_QUERY_KEYS[name] ?? (name.startsWith(`${key}.`) ? name : undefined);
      if (configKey !== undefined) given[configKey] = text;
    }
    const missing = ['apiKey', 'callbackUrl'].filter(
      (name) => given[OAUTH_QUERY_KEYS[name] ?? ''] === undefined,
    );
    if (missing.length > 0) {
      throw new RequestValidationError(
        'Missing query parameters',
        missing.map((name) => ({ path: name, message: 'is required' })),
      );
    }
    const configuration = {
      ...element.adapter.configDefaults,
      ...deploymentDefaultsFor(key, this.deploymentDefaults(), given),
      ...given,
    };
    const state = firstString(query['state']);
    try {
      return { oauthUrl: element.adapter.authorizeUrl(configuration, state), element: key };
    } catch (error) {
      const mapped = providerFailureToHttp(error);
      if (mapped instanceof RequestValidationError) {
        // Name the query parameter the client sent, not the configuration key.
        const queryName = (path: string) => {
          const configKey = path.replace(/^configuration\./, '');
          return Object.entries(OAUTH_QUERY_KEYS).find(([, value]) => value === configKey)?.[0] ?? configKey;
        };
        throw new RequestValidationError(
          'The authorize URL cannot be built from these parameters',
          mapped.errors.map((issue) => ({ path: queryName(issue.path), message: issue.message })),
        );
      }
      throw mapped;
    }
  }

  private deploymentDefaults() {
    return {
      ...(this.env.MAXIMIZER_BASE_URL === undefined ? {} : { maximizerBaseUrl: this.env.MAXIMIZER_BASE_URL }),
      ...(this.env.MAXIMIZER_ALIAS === undefined ? {} : { maximizerAlias: this.env.MAXIMIZER_ALIAS }),
    };
  }
}
