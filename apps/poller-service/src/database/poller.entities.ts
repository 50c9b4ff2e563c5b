import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The non-secret part of an instance snapshot that polling needs (schema `poller`). */
@Entity({ name: 'instances' })
export class InstanceEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'organization_id', type: 'text' }) organizationId!: string;
  @Column({ name: 'element_key', type: 'text' }) elementKey!: string;
  @Column({ name: 'element_config', type: 'jsonb' }) elementConfig!: Record<string, string>;
  /** enabled, valid, events enabled and vendor type polling: anything else polls nothing. */
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'instance_created_at', type: 'timestamptz' }) instanceCreatedAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** One row per (instance, configured resource): its schedule, watermark, health and lease. */
@Entity({ name: 'schedules' })
@Index('schedules_due', ['nextDueAt'], { where: 'active' })
export class ScheduleEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @PrimaryColumn({ type: 'text' }) resource!: string;
  /** The resource's canonical poller configuration (`ResourcePoller` of @pollcast/contracts). */
  @Column({ type: 'jsonb' }) config!: Record<string, unknown>;
  @Column({ name: 'interval_seconds', type: 'integer' }) intervalSeconds!: number;
  @Column({ type: 'boolean' }) active!: boolean;
  /** When the row may next be claimed: its due time, or its lease expiry while a poll holds it. */
  @Column({ name: 'next_due_at', type: 'timestamptz' }) nextDueAt!: Date;
  /** The due time of the poll in flight (schedule lag = claim time − this). */
  @Column({ name: 'scheduled_for', type: 'timestamptz', nullable: true }) scheduledFor!: Date | null;
  /** End of the last window whose every record Kafka acknowledged. */
  @Column({ type: 'timestamptz' }) watermark!: Date;
  @Column({ type: 'text' }) state!: 'ok' | 'failing' | 'error';
  @Column({ name: 'consecutive_failures', type: 'integer' }) consecutiveFailures!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true }) lastErrorAt!: Date | null;
  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true }) lastSuccessAt!: Date | null;
  /** Set while a poll is wanted as soon as the one in flight ends (API "poll now" / watermark reset). */
  @Column({ name: 'poll_requested', type: 'boolean' }) pollRequested!: boolean;
  @Column({ name: 'current_poll_id', type: 'uuid', nullable: true }) currentPollId!: string | null;
  @Column({ name: 'lease_owner', type: 'text', nullable: true }) leaseOwner!: string | null;
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true }) leaseExpiresAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** When the next reconciliation may be claimed (its lease expiry while one runs); null = deletions
   * are not reconciled for this resource. */
  @Column({ name: 'reconcile_next_due_at', type: 'timestamptz', nullable: true })
  reconcileNextDueAt!: Date | null;
  /** Set while a reconciliation is wanted as soon as the one in flight ends (API). */
  @Column({ name: 'reconcile_requested', type: 'boolean' }) reconcileRequested!: boolean;
  @Column({ name: 'reconcile_run_id', type: 'uuid', nullable: true }) reconcileRunId!: string | null;
  @Column({ name: 'reconcile_started_at', type: 'timestamptz', nullable: true })
  reconcileStartedAt!: Date | null;
  @Column({ name: 'reconcile_lease_owner', type: 'text', nullable: true }) reconcileLeaseOwner!:
    string | null;
  @Column({ name: 'reconcile_lease_expires_at', type: 'timestamptz', nullable: true })
  reconcileLeaseExpiresAt!: Date | null;
  /** The last finished reconciliation (`LastReconciliation` of reconciliation.store.ts). */
  @Column({ name: 'last_reconciliation', type: 'jsonb', nullable: true })
  lastReconciliation!: Record<string, unknown> | null;
}

/** An id the poller knows exists, per (instance, resource) with deletions reconciled: published by a
 * poll or listed by a reconciliation. */
@Entity({ name: 'known_objects' })
export class KnownObjectEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @PrimaryColumn({ type: 'text' }) resource!: string;
  @PrimaryColumn({ name: 'object_id', type: 'text' }) objectId!: string;
  /** When a poll last published it (or a listing first added it). */
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt!: Date;
  /** The last reconciliation whose listing contained it. */
  @Column({ name: 'listed_run', type: 'uuid', nullable: true }) listedRun!: string | null;
}

export type PollRunStatus = 'succeeded' | 'failed' | 'abandoned' | 'superseded';

/** One poll of one resource: what window it read, what it published, how it ended. Pruned after the
 * retention period. */
@Entity({ name: 'poll_runs' })
@Index('poll_runs_instance', ['instanceId', 'startedAt', 'id'])
@Index('poll_runs_started', ['startedAt'])
export class PollRunEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ type: 'text' }) resource!: string;
  @Column({ name: 'element_key', type: 'text' }) elementKey!: string;
  @Column({ name: 'scheduled_for', type: 'timestamptz' }) scheduledFor!: Date;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz' }) finishedAt!: Date;
  @Column({ name: 'window_from', type: 'timestamptz' }) windowFrom!: Date;
  @Column({ name: 'window_to', type: 'timestamptz' }) windowTo!: Date;
  @Column({ type: 'integer' }) pages!: number;
  @Column({ type: 'integer' }) records!: number;
  @Column({ type: 'text' }) status!: PollRunStatus;
  @Column({ name: 'error_kind', type: 'text', nullable: true }) errorKind!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'text' }) owner!: string;
}

export const POLLER_ENTITIES = [InstanceEntity, ScheduleEntity, PollRunEntity, KnownObjectEntity];
