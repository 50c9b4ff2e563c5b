import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { CanonicalInstanceConfig } from '@pollcast/config-schema';
import {
  ElementRequestError,
  type ElementAdapter,
  type OAuthTokens,
  type ProviderTarget,
} from '@pollcast/elements';
import { compileUrlTemplate } from '@pollcast/date-template';
import { CompiledPolicy, OutboundRefusedError } from '@pollcast/outbound-guard';
import { DomainError, RequestValidationError, ErrorCode } from '@pollcast/service-kit';
import type { Env } from '../env';
import { elementCallConfiguration } from '../oauth/element-config';
import { providerFailureToHttp } from '../oauth/provider-errors';
import { ProviderElements } from '../oauth/provider-elements';
import { ENV } from '../tokens';

/** Where a configuration path names the callback URL (400 answers). */
const CALLBACK_URL_PATH = 'configuration.event.notification.callback.url';
/** Where a configuration path names a resource's poller settings (400 answers). */
const POLLER_CONFIGURATION_PATH = 'configuration.event.poller.configuration';

/** Only the OAuth authorization code grant needs a grant code; other elements capture credentials. */
export function needsGrantCode(adapter: ElementAdapter): boolean {
  return adapter.authentication.type === 'oauth2';
}

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
    this.elements = new ProviderElements(env.POLLCAST_PROVIDER_ALLOWED_HOSTS, env.POLLCAST_ELEMENTS_DIR);
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
    // Elements without a grant code re-capture their credentials on every change (see credentialsFor).
    const reauthorized = next.providerCode !== undefined || !needsGrantCode(adapter);
    if (!changed && !reauthorized) return computed;
    const checked = this.targetsOf(adapter, next, true);
    if (current !== undefined && changed && !reauthorized) {
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

  /**
   * The element's required configuration keys must be set, and every resource's poller URL must be one the element can plan (a resource it has, parameters it
   * accepts, CEQL it can translate): a 400 naming the resource's URL now, rather than a failed poll later.
   * The URL is rendered for the current time, as the poller renders it for a window. Resources whose
   * URL and page size are unchanged are not re-judged (an instance stored before this check, or before
   * an element changed, can still be disabled or renamed).
   */
  checkPollerPlans(
    adapter: ElementAdapter,
    current: CanonicalInstanceConfig | undefined,
    next: CanonicalInstanceConfig,
  ): void {
    const problems: { path: string; message: string }[] = [];
    // Required element keys (the github.owner a request path needs); oauth.* keys have their own rules.
    const configuration = elementCallConfiguration(next);
    for (const key of adapter.configKeys) {
      const value = configuration[key.key];
      if (key.required && !key.key.startsWith('oauth.') && (value === undefined || value === ''))
        problems.push({ path: `configuration.${key.key}`, message: `is required by ${adapter.name}` });
    }
    const unchanged = new Set(
      (current?.events.resources ?? []).map(
        (resource) => `${resource.resource}\u0000${resource.url}\u0000${resource.pageSize}`,
      ),
    );
    for (const resource of next.events.resources) {
      // A reconciliation lists every id through the element: one that cannot (a declarative definition
      // has no id-only listing yet) would fail at every run, so it is refused now.
      if (resource.deletions?.mode === 'reconcile' && adapter.planIdListing === undefined) {
        problems.push({
          path: `${POLLER_CONFIGURATION_PATH}.${resource.resource}.deletions.mode`,
          message: `${adapter.name} cannot list every id of a resource, so it cannot reconcile; use "flag" (a field that marks deleted records) or "off"`,
        });
      }
      if (unchanged.has(`${resource.resource}\u0000${resource.url}\u0000${resource.pageSize}`)) continue;
      try {
        adapter.planHubRequest({
          url: compileUrlTemplate(resource.url).render(new Date()),
          pageSize: resource.pageSize,
        });
      } catch (error) {
        if (!(error instanceof ElementRequestError)) throw error;
        problems.push({
          path: `${POLLER_CONFIGURATION_PATH}.${resource.resource}.url`,
          message: error.message.slice(0, 500),
        });
      }
    }
    if (problems.length > 0) throw new RequestValidationError('Invalid instance', problems);
  }

  /**
   * The credentials to store for a new or changed configuration: the grant code exchanged (OAuth
   * authorization code), or, for elements that need none, the credential captured from the configuration
   * (API key, basic, bearer) or fetched (client credentials). Undefined when nothing is to be stored (an
   * OAuth change without a code). Never call it inside a transaction.
   */
  async credentialsFor(
    adapter: ElementAdapter,
    config: CanonicalInstanceConfig,
  ): Promise<OAuthTokens | undefined> {
    if (!needsGrantCode(adapter)) return this.exchangeCode(config, '');
    return config.providerCode === undefined ? undefined : this.exchangeCode(config, config.providerCode);
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
