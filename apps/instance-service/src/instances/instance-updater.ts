import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CanonicalInstanceConfig } from '@pollcast/config-schema';
import type { OAuthTokens } from '@pollcast/elements';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { DataSource } from 'typeorm';
import type { InstanceResponse } from './instance-mapper';
import { InstanceRecords, type InstanceScope } from './instance-records';
import { InstanceSecrets } from './instance-secrets';
import { instanceStore, type InstanceRecord } from './instance.store';
import { ProviderAuthorization } from './provider-authorization';

/** A change to an instance's configuration, applied to what is stored (it may run twice, see below). */
export type InstanceChange = (
  current: CanonicalInstanceConfig,
  record: InstanceRecord,
) => CanonicalInstanceConfig;

/**
 * Every change of an existing instance goes the same way: read and validate without a lock; exchange a
 * new grant code if there is one, outside any transaction (no provider call ever holds a database
 * connection or a row lock); then lock the row, apply the change to what is stored now, and write.
 */
@Injectable()
export class InstanceUpdater {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
    @Inject(InstanceSecrets) private readonly secrets: InstanceSecrets,
    @Inject(ProviderAuthorization) private readonly authorization: ProviderAuthorization,
  ) {}

  async apply(scope: InstanceScope, id: string, change: InstanceChange): Promise<InstanceResponse> {
    const seen = await this.records.find(this.dataSource.manager, scope, id, false);
    const seenCurrent = this.secrets.openConfig(seen);
    const planned = change(seenCurrent, seen);
    const element = this.authorization.elements.find(planned.elementKey);
    const plannedTargets =
      element === undefined
        ? undefined
        : this.authorization.checkTargets(element.adapter, seenCurrent, planned);
    this.authorization.checkCallback(seenCurrent, planned);
    if (element !== undefined) this.authorization.checkPollerPlans(element.adapter, seenCurrent, planned);
    // A new grant code re-authorizes the instance (the way to repair valid: false, and the only way to
    // point it at another provider URL); elements without codes re-capture their credentials.
    const tokens: OAuthTokens | undefined =
      element === undefined ? undefined : await this.authorization.credentialsFor(element.adapter, planned);
    const updated = await this.dataSource.transaction(async (manager) => {
      const record = await this.records.find(manager, scope, id, true);
      const current = this.secrets.openConfig(record);
      const next = change(current, record);
      const nextTargets =
        element === undefined ? undefined : this.authorization.checkTargets(element.adapter, current, next);
      this.authorization.checkCallback(current, next);
      let valid = record.valid;
      if (tokens !== undefined) {
        // The tokens belong to the provider and client they were exchanged with: if another request
        // changed either while we were away, they must not be stored against this configuration.
        if (
          JSON.stringify(nextTargets) !== JSON.stringify(plannedTargets) ||
          JSON.stringify(next.oauth) !== JSON.stringify(planned.oauth)
        ) {
          throw new DomainError(
            ErrorCode.CONFLICT,
            `Instance '${id.slice(0, 40)}' changed while its authorization code was exchanged; retry with a new code`,
            HttpStatus.CONFLICT,
          );
        }
        await instanceStore.saveCredentials(
          manager,
          record.id,
          this.secrets.sealCredentials(record.id, tokens),
        );
        valid = true;
      }
      const stored = this.secrets.sealConfig(record.id, next);
      const result = await instanceStore.update(manager, record, {
        name: next.name,
        tags: next.tags,
        disabled: next.disabled,
        valid,
        eventsEnabled: next.events.enabled,
        configCiphertext: stored.ciphertext,
        publicConfig: stored.publicConfig,
      });
      await this.records.publishSnapshot(manager, result);
      return result;
    });
    this.records.afterCommit(updated.id);
    return this.records.respond(updated);
  }
}
