import { HttpStatus, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  maskCanonicalConfig,
  parseInstanceBody,
  type CanonicalInstanceConfig,
  type ParseMode,
} from '@pollcast/config-schema';
import { topicName } from '@pollcast/contracts';
import {
  ElementRequestError,
  type ElementAdapter,
  type OAuthTokens,
  type ProviderTarget,
} from '@pollcast/elements';
import { CompiledPolicy, OutboundRefusedError } from '@pollcast/outbound-guard';
import { DomainError, RequestValidationError, ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import { generateSecret, SecretHasher } from '../crypto/secret-hash';
import type { Env } from '../env';
import {
  elementCallConfiguration,
  resolveElementDescriptor,
  withDeploymentDefaults,
  type ElementDeploymentDefaults,
} from '../oauth/element-config';
import { providerFailureToHttp } from '../oauth/provider-errors';
import { ProviderElements } from '../oauth/provider-elements';
import { enqueueOutbox, OutboxRelay } from '../outbox/outbox.service';
import type { Principal } from '../tenants/principal';
import { TenantsService } from '../tenants/tenants.service';
import { ENV } from '../tokens';
import {
  configurationEntries,
  configurationEntryId,
  resolveConfigurationKey,
  toInstanceResponse,
  toInstanceSnapshot,
  type ConfigurationEntry,
  type InstanceResponse,
} from './instance-mapper';
import { instanceStore, type EncryptedCredentials, type InstanceRecord } from './instance.store';

export const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 200;

export class InstanceNotFoundError extends DomainError {
  constructor(id: string) {
    // The same answer for "does not exist" and "belongs to another organization".
    super('not_found', `No instance with id '${id.slice(0, 40)}'`, HttpStatus.NOT_FOUND);
  }
}

export interface ListInstancesQuery {
  tags: string[];
  pageSize?: number;
  nextPage?: string;
}

/** Context strings bind each ciphertext to its row and purpose (AES-GCM additional data). */
export const cipherContext = {
  token: (id: string) => `instance:${id}:token`,
  config: (id: string) => `instance:${id}:config`,
  accessToken: (id: string) => `instance:${id}:access-token`,
  refreshToken: (id: string) => `instance:${id}:refresh-token`,
};

/** Where a configuration path names the callback URL (400 answers). */
const CALLBACK_URL_PATH = 'configuration.event.notification.callback.url';

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

/** The instance use cases behind /elements/api-v2/instances and the internal endpoints. */
@Injectable()
export class InstancesService implements OnApplicationShutdown {
  private readonly instancesTopic: string;
  private readonly deploymentDefaults: ElementDeploymentDefaults;
  /** Adapters that call providers under this deployment's allow-list (also used for token refresh). */
  readonly elements: ProviderElements;
  private readonly callbackPolicy: CompiledPolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.instancesTopic = topicName('instances', env.POLLCAST_TOPIC_PREFIX);
    this.deploymentDefaults = {
      ...(env.MAXIMIZER_BASE_URL === undefined ? {} : { maximizerBaseUrl: env.MAXIMIZER_BASE_URL }),
      ...(env.MAXIMIZER_ALIAS === undefined ? {} : { maximizerAlias: env.MAXIMIZER_ALIAS }),
    };
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

  async create(principal: Principal, body: unknown): Promise<InstanceResponse> {
    // The whole body is validated before the code is exchanged: a grant code is single-use, and a body
    // that fails after the exchange would have burnt it.
    this.refuseUnstorableText(body);
    const config = this.parse(body, 'create', undefined);
    const element = this.elements.find(config.elementKey);
    if (element === undefined)
      throw new RequestValidationError('Invalid instance', [
        { path: 'element.key', message: 'unknown element' },
      ]);
    this.checkTargets(element.adapter, undefined, config);
    this.checkCallback(undefined, config);
    if (config.providerCode === undefined) {
      throw new RequestValidationError('Invalid instance', [
        {
          path: 'providerData.code',
          message: `is required: the OAuth grant code the provider sent to the callback URL (see GET /elements/${config.elementKey}/oauth/url)`,
        },
      ]);
    }
    // The provider is called before any transaction starts: a slow provider holds no connection.
    const tokens = await this.exchangeCode(config, config.providerCode);
    const token = generateSecret();
    const created = await this.dataSource.transaction(async (manager) => {
      const id = await instanceStore.nextId(manager);
      const stored = this.sealConfig(id, config);
      await instanceStore.insert(
        manager,
        {
          id,
          organizationId: principal.organizationId,
          userId: principal.userId,
          elementKey: config.elementKey,
          name: config.name,
          tags: config.tags,
          disabled: config.disabled,
          valid: true,
          eventsEnabled: config.events.enabled,
          tokenFingerprint: this.hasher.fingerprint(token),
          tokenCiphertext: this.secretBox.encrypt(token, cipherContext.token(id)),
          configCiphertext: stored.ciphertext,
          publicConfig: stored.publicConfig,
        },
        this.sealCredentials(id, tokens),
      );
      const record = await instanceStore.find(manager, id, 'internal');
      if (record === undefined) throw new Error(`instance ${id} not readable after insert`);
      await this.publishSnapshot(manager, record);
      return record;
    });
    this.outbox.wake();
    this.logger.info(
      { instanceId: created.id, organizationId: created.organizationId, elementKey: created.elementKey },
      'instance created',
    );
    return toInstanceResponse(created, element.summary, token);
  }

  async list(
    principal: Principal,
    query: ListInstancesQuery,
  ): Promise<{ instances: InstanceResponse[]; nextPage?: string }> {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, query.pageSize ?? DEFAULT_PAGE_SIZE));
    const afterId =
      query.nextPage !== undefined && /^\d{1,18}$/.test(query.nextPage) ? query.nextPage : undefined;
    const records = await instanceStore.list(this.dataSource.manager, principal.organizationId, {
      tags: query.tags,
      afterId,
      limit: limit + 1,
      onlyId: principal.instanceId ?? undefined,
    });
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return {
      instances: page.map((record) => this.respond(record)),
      ...(records.length > limit && last !== undefined ? { nextPage: last.id } : {}),
    };
  }

  async get(principal: Principal, id: string): Promise<InstanceResponse> {
    return this.respond(await this.findOwned(this.dataSource.manager, principal, id, false));
  }

  async replace(principal: Principal, id: string, body: unknown): Promise<InstanceResponse> {
    this.refuseUnstorableText(body);
    return this.update(principal, id, (current) => this.parse(body, 'replace', current));
  }

  async patch(principal: Principal, id: string, body: unknown): Promise<InstanceResponse> {
    this.refuseUnstorableText(body);
    return this.update(principal, id, (current) => this.parse(body, 'patch', current));
  }

  async setEnabled(principal: Principal, id: string, enabled: boolean): Promise<InstanceResponse> {
    return this.update(principal, id, (current) => ({ ...current, disabled: !enabled }));
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const record = await this.findOwned(manager, principal, id, true);
      await instanceStore.delete(manager, record.id);
      await enqueueOutbox(manager, { topic: this.instancesTopic, key: record.id, value: null });
    });
    this.tenants.forgetInstance(id);
    this.outbox.wake();
    this.logger.info({ instanceId: id, organizationId: principal.organizationId }, 'instance deleted');
  }

  async configuration(principal: Principal, id: string): Promise<ConfigurationEntry[]> {
    const record = await this.findOwned(this.dataSource.manager, principal, id, false);
    return configurationEntries(record.publicConfig);
  }

  async patchConfigurationEntry(
    principal: Principal,
    id: string,
    configId: string,
    body: unknown,
  ): Promise<ConfigurationEntry> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('propertyValue' in body)) {
      throw new RequestValidationError('Invalid configuration entry', [
        { path: 'propertyValue', message: 'is required: the new value of this configuration key' },
      ]);
    }
    const propertyValue = body.propertyValue;
    this.refuseUnstorableText({ propertyValue });
    let key: string | undefined;
    const updated = await this.update(principal, id, (current, record) => {
      key =
        resolveConfigurationKey(record.publicConfig, configId) ??
        (/^\d+$/.test(configId) ? undefined : configId);
      if (key === undefined)
        throw new DomainError(
          'not_found',
          `No configuration entry '${configId.slice(0, 100)}'`,
          HttpStatus.NOT_FOUND,
        );
      return this.parse({ configuration: { [key]: propertyValue } }, 'patch', current);
    });
    const resolvedKey = key ?? configId;
    return {
      id: configurationEntryId(resolvedKey),
      key: resolvedKey,
      name: resolvedKey,
      propertyValue: updated.configuration[resolvedKey] ?? null,
    };
  }

  /** Internal: what the dispatcher needs to deliver, the signature key in clear. */
  async delivery(id: string): Promise<{
    instanceId: string;
    organizationId: string;
    elementKey: string;
    eventsEnabled: boolean;
    callbackUrl: string | null;
    signatureKey: string | null;
  }> {
    const record = await instanceStore.find(this.dataSource.manager, id, 'internal');
    if (record === undefined) throw new InstanceNotFoundError(id);
    const config = this.openConfig(record);
    return {
      instanceId: record.id,
      organizationId: record.organizationId,
      elementKey: record.elementKey,
      eventsEnabled: config.events.enabled && !record.disabled,
      callbackUrl: config.events.callbackUrl ?? null,
      signatureKey:
        config.events.signatureKey === undefined || config.events.signatureKey === ''
          ? null
          : config.events.signatureKey,
    };
  }

  /** Internal: the dispatcher was told to stop (410 Gone): events off, snapshot published. */
  async disableEvents(id: string, reason: string): Promise<void> {
    await this.update('internal', id, (current) => ({
      ...current,
      events: { ...current.events, enabled: false },
      original: { ...current.original, 'event.notification.enabled': false },
    }));
    this.logger.warn({ instanceId: id, reason: reason.slice(0, 500) }, 'events disabled for an instance');
  }

  /** Marks an instance's credentials invalid (a refresh was refused) inside the caller's transaction. */
  async markInvalid(manager: EntityManager, record: InstanceRecord): Promise<void> {
    if (!record.valid) return;
    const updated = await instanceStore.update(manager, record, {
      name: record.name,
      tags: record.tags,
      disabled: record.disabled,
      valid: false,
      eventsEnabled: record.publicConfig.events.enabled,
      configCiphertext: record.configCiphertext,
      publicConfig: record.publicConfig,
    });
    await this.publishSnapshot(manager, updated);
  }

  wakeOutbox(): void {
    this.outbox.wake();
  }

  openConfig(record: InstanceRecord): CanonicalInstanceConfig {
    return JSON.parse(
      this.secretBox.decrypt(record.configCiphertext, cipherContext.config(record.id)),
    ) as CanonicalInstanceConfig;
  }

  sealCredentials(id: string, tokens: OAuthTokens): EncryptedCredentials {
    return {
      accessTokenCiphertext: this.secretBox.encrypt(tokens.accessToken, cipherContext.accessToken(id)),
      refreshTokenCiphertext: this.secretBox.encrypt(tokens.refreshToken, cipherContext.refreshToken(id)),
      expiresAt: tokens.expiresAt,
    };
  }

  /**
   * Every change goes the same way: read and validate without a lock; exchange a new grant code if
   * there is one, outside any transaction (no provider call ever holds a database connection or a row
   * lock); then lock the row, apply the change to what is stored now, and write.
   */
  private async update(
    scope: Principal | 'internal',
    id: string,
    change: (current: CanonicalInstanceConfig, record: InstanceRecord) => CanonicalInstanceConfig,
  ): Promise<InstanceResponse> {
    const seen = await this.findScoped(this.dataSource.manager, scope, id, false);
    const seenCurrent = this.openConfig(seen);
    const planned = change(seenCurrent, seen);
    const element = this.elements.find(planned.elementKey);
    const plannedTargets =
      element === undefined ? undefined : this.checkTargets(element.adapter, seenCurrent, planned);
    this.checkCallback(seenCurrent, planned);
    let tokens: OAuthTokens | undefined;
    if (planned.providerCode !== undefined) {
      // A new grant code re-authorizes the instance (the way to repair valid: false, and the only way
      // to point it at another provider URL).
      tokens = await this.exchangeCode(planned, planned.providerCode);
    }
    const updated = await this.dataSource.transaction(async (manager) => {
      const record = await this.findScoped(manager, scope, id, true);
      const current = this.openConfig(record);
      const next = change(current, record);
      const nextTargets =
        element === undefined ? undefined : this.checkTargets(element.adapter, current, next);
      this.checkCallback(current, next);
      let valid = record.valid;
      if (tokens !== undefined) {
        // The tokens belong to the provider and client they were exchanged with: if another request
        // changed either while we were away, they must not be stored against this configuration.
        if (
          JSON.stringify(nextTargets) !== JSON.stringify(plannedTargets) ||
          JSON.stringify(next.oauth) !== JSON.stringify(planned.oauth)
        ) {
          throw new DomainError(
            'conflict',
            `Instance '${id.slice(0, 40)}' changed while its authorization code was exchanged; retry with a new code`,
            HttpStatus.CONFLICT,
          );
        }
        await instanceStore.saveCredentials(manager, record.id, this.sealCredentials(record.id, tokens));
        valid = true;
      }
      const stored = this.sealConfig(record.id, next);
      const result = await instanceStore.update(manager, record, {
        name: next.name,
        tags: next.tags,
        disabled: next.disabled,
        valid,
        eventsEnabled: next.events.enabled,
        configCiphertext: stored.ciphertext,
        publicConfig: stored.publicConfig,
      });
      await this.publishSnapshot(manager, result);
      return result;
    });
    this.outbox.wake();
    return this.respond(updated);
  }

  private async findScoped(
    manager: EntityManager,
    scope: Principal | 'internal',
    id: string,
    lock: boolean,
  ): Promise<InstanceRecord> {
    const record =
      scope === 'internal'
        ? await instanceStore.find(manager, id, 'internal', lock)
        : await this.findOwned(manager, scope, id, lock);
    if (record === undefined) throw new InstanceNotFoundError(id);
    return record;
  }

  /**
   * The provider URLs of a new configuration, checked by the outbound guard (400 naming the key), and
   * the rule that a different provider URL needs a new authorization: stored tokens are never sent to
   * another host. Unchanged targets are not re-judged here (an instance stored before a policy change
   * can still be disabled); the connector refuses them when called.
   */
  private checkTargets(
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

  /** A new or changed callback URL must pass the outbound guard's URL rules (400 naming the key). */
  private checkCallback(current: CanonicalInstanceConfig | undefined, next: CanonicalInstanceConfig): void {
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

  /** U+0000 and lone surrogates are valid JSON but PostgreSQL cannot store them: 400 naming the field. */
  private refuseUnstorableText(body: unknown): void {
    const path = unstorableTextPath(body, '');
    if (path === undefined) return;
    throw new RequestValidationError('Invalid instance', [
      { path, message: 'must not contain U+0000 or unpaired UTF-16 surrogates' },
    ]);
  }

  private parse(
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

  private async exchangeCode(config: CanonicalInstanceConfig, code: string): Promise<OAuthTokens> {
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
          'provider_timeout',
          `${config.elementKey} did not answer in time; retry later`,
          HttpStatus.GATEWAY_TIMEOUT,
        );
      }
      throw providerFailureToHttp(error);
    }
  }

  /** The canonical configuration encrypted whole, and its masked copy for responses and snapshots. */
  private sealConfig(
    id: string,
    config: CanonicalInstanceConfig,
  ): { ciphertext: string; publicConfig: CanonicalInstanceConfig } {
    const { providerCode: _singleUse, ...persistent } = config;
    return {
      ciphertext: this.secretBox.encrypt(JSON.stringify(persistent), cipherContext.config(id)),
      publicConfig: maskCanonicalConfig(persistent),
    };
  }

  private async publishSnapshot(manager: EntityManager, record: InstanceRecord): Promise<void> {
    await enqueueOutbox(manager, {
      topic: this.instancesTopic,
      key: record.id,
      value: toInstanceSnapshot(record),
    });
  }

  private async findOwned(
    manager: EntityManager,
    principal: Principal,
    id: string,
    lock: boolean,
  ): Promise<InstanceRecord> {
    if (principal.instanceId !== null && principal.instanceId !== id) throw new InstanceNotFoundError(id);
    const record = await instanceStore.find(manager, id, { organizationId: principal.organizationId }, lock);
    if (record === undefined) throw new InstanceNotFoundError(id);
    return record;
  }

  private respond(record: InstanceRecord): InstanceResponse {
    const element = this.elements.find(record.elementKey);
    const summary = element?.summary ?? { id: 0, key: record.elementKey, name: record.elementKey, hub: '' };
    return toInstanceResponse(
      record,
      summary,
      this.secretBox.decrypt(record.tokenCiphertext, cipherContext.token(record.id)),
    );
  }
}
