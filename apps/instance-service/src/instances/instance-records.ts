import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { topicName } from '@pollcast/contracts';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { EntityManager } from 'typeorm';
import type { Env } from '../env';
import { OutboxRelay } from '../outbox/outbox-relay.publisher';
import { outboxStore } from '../outbox/outbox.store';
import type { Principal } from '../tenants/principal';
import { ENV } from '../tokens';
import { toInstanceResponse, toInstanceSnapshot, type InstanceResponse } from './instance-mapper';
import { InstanceSecrets } from './instance-secrets';
import { InstanceReadCache } from './instance-read-cache';
import { instanceStore, isInstanceId, type InstanceRecord } from './instance.store';
import { ProviderAuthorization } from './provider-authorization';

export class InstanceNotFoundError extends DomainError {
  constructor(id: string) {
    // The same answer for "does not exist" and "belongs to another organization".
    super(ErrorCode.NOT_FOUND, `No instance with id '${id.slice(0, 40)}'`, HttpStatus.NOT_FOUND);
  }
}

/** Who reads an instance: a tenant sees only its organization's (and an Element token only its own). */
export type InstanceScope = Principal | 'internal';

/**
 * What every instance use case shares around the store: reads scoped to the caller, the snapshot every
 * committed change publishes through the outbox, and the response a tenant gets.
 */
@Injectable()
export class InstanceRecords {
  private readonly instancesTopic: string;

  constructor(
    @Inject(InstanceSecrets) private readonly secrets: InstanceSecrets,
    @Inject(ProviderAuthorization) private readonly authorization: ProviderAuthorization,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(InstanceReadCache) private readonly cache: InstanceReadCache,
    @Inject(ENV) env: Env,
  ) {
    this.instancesTopic = topicName('instances', env.POLLCAST_TOPIC_PREFIX);
  }

  async find(
    manager: EntityManager,
    scope: InstanceScope,
    id: string,
    lock: boolean,
  ): Promise<InstanceRecord> {
    if (scope !== 'internal' && scope.instanceId !== null && scope.instanceId !== id)
      throw new InstanceNotFoundError(id);
    const record = await instanceStore.find(
      manager,
      id,
      scope === 'internal' ? 'internal' : { organizationId: scope.organizationId },
      lock,
    );
    if (record === undefined) throw new InstanceNotFoundError(id);
    return record;
  }

  /**
   * `find` for a read that changes nothing (the public GETs): from the read cache when it can be trusted.
   * Never for a read that a write follows: those read PostgreSQL, in the writer's transaction.
   */
  async read(manager: EntityManager, scope: InstanceScope, id: string): Promise<InstanceRecord> {
    if (scope !== 'internal' && scope.instanceId !== null && scope.instanceId !== id)
      throw new InstanceNotFoundError(id);
    if (!isInstanceId(id)) throw new InstanceNotFoundError(id);
    const record = await this.cache.read(id, () => instanceStore.find(manager, id, 'internal'));
    // The same scoping as the store's WHERE: another organization's instance is "not found".
    if (record === undefined || (scope !== 'internal' && record.organizationId !== scope.organizationId))
      throw new InstanceNotFoundError(id);
    return record;
  }

  /** The instance's new state, for Kafka once the caller's transaction commits. */
  async publishSnapshot(manager: EntityManager, record: InstanceRecord): Promise<void> {
    await outboxStore.enqueue(manager, {
      topic: this.instancesTopic,
      key: record.id,
      value: toInstanceSnapshot(record),
    });
  }

  /** The tombstone of a deleted instance, for Kafka once the caller's transaction commits. */
  async publishTombstone(manager: EntityManager, id: string): Promise<void> {
    await outboxStore.enqueue(manager, { topic: this.instancesTopic, key: id, value: null });
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

  /**
   * After a commit that changed the instance: this replica drops its cached row now, so its next read
   * shows the change without waiting for the notification; the relay sends the snapshot now rather than
   * at its next tick.
   */
  afterCommit(instanceId: string): void {
    this.cache.forget(instanceId);
    this.outbox.wake();
  }

  respond(record: InstanceRecord): InstanceResponse {
    const element = this.authorization.elements.find(record.elementKey);
    const summary = element?.summary ?? { id: 0, key: record.elementKey, name: record.elementKey, hub: '' };
    return toInstanceResponse(record, summary, this.secrets.openToken(record));
  }
}
