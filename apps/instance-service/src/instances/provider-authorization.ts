import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { CanonicalInstanceConfig } from '@pollcast/config-schema';
import {
  ElementRequestError,
  type ElementAdapter,
  type OAuthTokens,
  type ProviderTarget,
} from '@pollcast/elements';
import { CompiledPolicy, OutboundRefusedError } from '@pollcast/outbound-guard';
import { DomainError, RequestValidationError, ErrorCode } from '@pollcast/service-kit';
import type { Env } from '../env';
import { elementCallConfiguration } from '../oauth/element-config';
import { providerFailureToHttp } from '../oauth/provider-errors';
import { ProviderElements } from '../oauth/provider-elements';
import { ENV } from '../tokens';

/** Where a configuration path names the callback URL (400 answers). */
const CALLBACK_URL_PATH = 'configuration.event.notification.callback.url';

/**
 * What an instance may aim at and how it is authorized there: the provider URLs and the callback URL
 * of a configuration, judged by the outbound guard, and the exchange of a grant code for tokens. The
 * exchange is a provider call: callers make it before they open any transaction.
 */
@Injectable()
export class ProviderAuthorization implements OnApplicationShutdown {
  /** Adapters that call providers under this deployment's allow-list (also used for token refresh). */
  readonly elements: ProviderElements;
  private readonly callbackPolicy: CompiledPolicy;

  constructor(@Inject(ENV) private readonly env: Env) {
    this.elements = new ProviderElements(env.POLLCAST_PROVIDER_ALLOWED_HOSTS);
    this.callbackPolicy = new CompiledPolicy({
      target: 'callback URL',
      allowPrivateAddresses: env.POLLCAST_ALLOW_PRIVATE_CALLBACKS,
    });
    this.assertDeploymentDefaultAllowed();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.elements.close();
  }

  /** MAXIMIZER_BASE_URL must be a host the guard lets through, or every instance using it would fail. */
  private assertDeploymentDefaultAllowed(): void {
    if (this.env.MAXIMIZER_BASE_URL === undefined) return;
    const maximizer = this.elements.find('maximizer');
    try {
      maximizer?.adapter.providerTargets({ 'maximizer.url': this.env.MAXIMIZER_BASE_URL });
    } catch (error) {
      throw new Error(
        `MAXIMIZER_BASE_URL is not a Maximizer host this deployment may call: add its host:port to POLLCAST_PROVIDER_ALLOWED_HOSTS (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /**
   * The provider URLs of a new configuration, checked by the outbound guard (400 naming the key), and
   * the rule that a different provider URL needs a new authorization: stored tokens are never sent to
   * another host. Unchanged targets are not re-judged here (an instance stored before a policy change
   * can still be disabled); the connector refuses them when called.
   */
  checkTargets(
    adapter: ElementAdapter,
    current: CanonicalInstanceConfig | undefined,
    next: CanonicalInstanceConfig,
  ): ProviderTarget[] {
    const computed = this.targetsOf(adapter, next, false);
    const before = current === undefined ? undefined : this.targetsOrUndefined(adapter, current);
    const changed = before === undefined || JSON.stringify(before) !== JSON.stringify(computed);
    if (!changed && next.providerCode === undefined) return computed;
    const checked = this.targetsOf(adapter, next, true);
    if (current !== undefined && changed && next.providerCode === undefined) {
      const moved = checked.find((target, index) => before?.[index]?.url !== target.url) ?? checked[0];
      throw new RequestValidationError('A new provider URL needs a new authorization', [
        {
          path: `configuration.${moved?.configKey ?? 'configuration'}`,
          message:
            'changes the provider this instance calls: send providerData.code (a new OAuth grant for that provider) with it; the stored tokens are never sent to another host',
        },
      ]);
    }
    return checked;
  }

  /** A new or changed callback URL must pass the outbound guard's URL rules (400 naming the key). */
  checkCallback(current: CanonicalInstanceConfig | undefined, next: CanonicalInstanceConfig): void {
    const url = next.events.callbackUrl;
    if (url === undefined || url === current?.events.callbackUrl) return;
    try {
      this.callbackPolicy.check(url);
    } catch (error) {
      if (!(error instanceof OutboundRefusedError)) throw error;
      throw new RequestValidationError('Invalid instance', [
        { path: CALLBACK_URL_PATH, message: error.message },
      ]);
    }
  }

  /** The grant code → tokens, with the provider timeout. Never call it inside a transaction. */
  async exchangeCode(config: CanonicalInstanceConfig, code: string): Promise<OAuthTokens> {
    const element = this.elements.find(config.elementKey);
    if (element === undefined) {
      throw new RequestValidationError('Invalid instance', [
        { path: 'element.key', message: 'unknown element' },
      ]);
    }
    try {
      return await element.adapter.exchangeCode(
        elementCallConfiguration(config),
        code,
        AbortSignal.timeout(this.env.PROVIDER_TIMEOUT_MS),
      );
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new DomainError(
          ErrorCode.PROVIDER_TIMEOUT,
          `${config.elementKey} did not answer in time; retry later`,
          HttpStatus.GATEWAY_TIMEOUT,
        );
      }
      throw providerFailureToHttp(error);
    }
  }

  private targetsOf(
    adapter: ElementAdapter,
    config: CanonicalInstanceConfig,
    check: boolean,
  ): ProviderTarget[] {
    try {
      return adapter.providerTargets(elementCallConfiguration(config), { check });
    } catch (error) {
      if (error instanceof ElementRequestError) throw providerFailureToHttp(error);
      throw error;
    }
  }

  private targetsOrUndefined(
    adapter: ElementAdapter,
    config: CanonicalInstanceConfig,
  ): ProviderTarget[] | undefined {
    try {
      return adapter.providerTargets(elementCallConfiguration(config), { check: false });
    } catch {
      return undefined;
    }
  }
}
