import { Inject, Injectable } from '@nestjs/common';
import { parseInstanceBody, type CanonicalInstanceConfig, type ParseMode } from '@pollcast/config-schema';
import { RequestValidationError } from '@pollcast/service-kit';
import type { Env } from '../env';
import {
  resolveElementDescriptor,
  withDeploymentDefaults,
  type ElementDeploymentDefaults,
} from '../oauth/element-config';
import { ENV } from '../tokens';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string in a request body PostgreSQL cannot store (U+0000, a lone surrogate), by path. */
function unstorableTextPath(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  const bad = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);
  if (typeof value === 'string') return bad(value) ? path || 'body' : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorableTextPath(item, `${path}[${index}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = path === '' ? key : `${path}.${key}`;
      if (bad(key)) return keyPath;
      const found = unstorableTextPath(item, keyPath, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Instance request bodies → one canonical configuration, with this deployment's defaults (400 naming each problem). */
@Injectable()
export class InstanceBodyParser {
  private readonly deploymentDefaults: ElementDeploymentDefaults;

  constructor(@Inject(ENV) env: Env) {
    this.deploymentDefaults = {
      ...(env.MAXIMIZER_BASE_URL === undefined ? {} : { maximizerBaseUrl: env.MAXIMIZER_BASE_URL }),
      ...(env.MAXIMIZER_ALIAS === undefined ? {} : { maximizerAlias: env.MAXIMIZER_ALIAS }),
    };
  }

  /** U+0000 and lone surrogates are valid JSON but PostgreSQL cannot store them: 400 naming the field. */
  refuseUnstorableText(body: unknown): void {
    const path = unstorableTextPath(body, '');
    if (path === undefined) return;
    throw new RequestValidationError('Invalid instance', [
      { path, message: 'must not contain U+0000 or unpaired UTF-16 surrogates' },
    ]);
  }

  parse(
    body: unknown,
    mode: ParseMode,
    current: CanonicalInstanceConfig | undefined,
  ): CanonicalInstanceConfig {
    const result = parseInstanceBody(body, {
      resolveElement: resolveElementDescriptor,
      mode,
      ...(current === undefined ? {} : { current }),
    });
    if (!result.ok) {
      throw new RequestValidationError(
        `Invalid instance: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`,
        result.errors.map((issue) => ({ path: issue.path, message: issue.message })),
      );
    }
    return withDeploymentDefaults(result.value, this.deploymentDefaults);
  }
}
