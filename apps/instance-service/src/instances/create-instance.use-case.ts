import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RequestValidationError, ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { generateSecret } from '../crypto/secret-hash';
import type { Principal } from '../tenants/principal';
import { InstanceBodyParser } from './instance-body';
import { toInstanceResponse, type InstanceResponse } from './instance-mapper';
import { InstanceRecords } from './instance-records';
import { InstanceSecrets } from './instance-secrets';
import { instanceStore } from './instance.store';
import { needsGrantCode, ProviderAuthorization } from './provider-authorization';

/** POST /instances: validate the whole body, exchange the grant code, then store and publish in one transaction. */
@Injectable()
export class CreateInstance {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceBodyParser) private readonly bodies: InstanceBodyParser,
    @Inject(ProviderAuthorization) private readonly authorization: ProviderAuthorization,
    @Inject(InstanceSecrets) private readonly secrets: InstanceSecrets,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(principal: Principal, body: unknown): Promise<InstanceResponse> {
    // The whole body is validated before the code is exchanged: a grant code is single-use, and a body
    // that fails after the exchange would have burnt it.
    this.bodies.refuseUnstorableText(body);
    const config = this.bodies.parse(body, 'create', undefined);
    const element = this.authorization.elements.find(config.elementKey);
    if (element === undefined)
      throw new RequestValidationError('Invalid instance', [
        { path: 'element.key', message: 'unknown element' },
      ]);
    this.authorization.checkTargets(element.adapter, undefined, config);
    this.authorization.checkCallback(undefined, config);
    this.authorization.checkPollerPlans(element.adapter, undefined, config);
    if (needsGrantCode(element.adapter) && config.providerCode === undefined) {
      throw new RequestValidationError('Invalid instance', [
        {
          path: 'providerData.code',
          message: `is required: the OAuth grant code the provider sent to the callback URL (see GET /elements/${config.elementKey}/oauth/url)`,
        },
      ]);
    }
    // The provider is called before any transaction starts: a slow provider holds no connection.
    const tokens = await this.authorization.credentialsFor(element.adapter, config);
    if (tokens === undefined) throw new Error('credentialsFor gave no credentials for a new instance');
    const token = generateSecret();
    const created = await this.dataSource.transaction(async (manager) => {
      const id = await instanceStore.nextId(manager);
      const stored = this.secrets.sealConfig(id, config);
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
          ...this.secrets.sealToken(id, token),
          configCiphertext: stored.ciphertext,
          publicConfig: stored.publicConfig,
        },
        this.secrets.sealCredentials(id, tokens),
      );
      const record = await instanceStore.find(manager, id, 'internal');
      if (record === undefined) throw new Error(`instance ${id} not readable after insert`);
      await this.records.publishSnapshot(manager, record);
      return record;
    });
    this.records.afterCommit(created.id);
    this.logger.info(
      { instanceId: created.id, organizationId: created.organizationId, elementKey: created.elementKey },
      'instance created',
    );
    return toInstanceResponse(created, element.summary, token);
  }
}
