import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { DispatcherSchema1764460800000 } from '../migrations/1764460800000-dispatcher-schema';
import { FinishedNotificationsIndex1796000000000 } from '../migrations/1796000000000-finished-notifications-index';
import { NotificationTraceparent1796083200000 } from '../migrations/1796083200000-notification-traceparent';
import { DeliveryAttemptsInstanceIndex1796200000000 } from '../migrations/1796200000000-delivery-attempts-instance-index';
import { NotificationLeaseToken1796300000000 } from '../migrations/1796300000000-notification-lease-token';
import { NotificationOldestEvent1796400000000 } from '../migrations/1796400000000-notification-oldest-event';
import { EventsJsonText1796500000000 } from '../migrations/1796500000000-events-json-text';

/** Notification lifecycle. SENDING = claimed by a replica (its lease is `next_attempt_at`). */
export const NOTIFICATION_STATUSES = [
  'PENDING',
  'SENDING',
  'RETRYING',
  'DELIVERED',
  'QUEUED',
  'FAILED',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Delivery settings from the latest instance snapshot (schema `dispatcher`). */
@Entity({ name: 'instance_settings' })
export class InstanceSettingsEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ name: 'organization_id', type: 'text' }) organizationId!: string;
  @Column({ name: 'element_key', type: 'text' }) elementKey!: string;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ name: 'events_enabled', type: 'boolean' }) eventsEnabled!: boolean;
  @Column({ name: 'callback_url', type: 'text', nullable: true }) callbackUrl!: string | null;
  @Column({ name: 'has_signature_key', type: 'boolean' }) hasSignatureKey!: boolean;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Deactivated after a notification exhausted its retries; redelivery reactivates it. */
@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true }) deactivatedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
}

/** One standardized event as received from Kafka, and the notification that last carried it. */
@Entity({ name: 'events' })
@Index('events_instance_received', ['instanceId', 'receivedAt', 'eventId'])
export class EventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ name: 'organization_id', type: 'text' }) organizationId!: string;
  @Column({ name: 'element_key', type: 'text' }) elementKey!: string;
  @Column({ type: 'text' }) resource!: string;
  @Column({ name: 'object_id', type: 'text' }) objectId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ name: 'event_date', type: 'timestamptz' }) eventDate!: Date;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'correlation_id', type: 'text', nullable: true }) correlationId!: string | null;
  @Column({ type: 'json' }) event!: Record<string, unknown>;
  @Column({ name: 'notification_id', type: 'uuid', nullable: true }) notificationId!: string | null;
}

/** One callback (≤ 10 events of one instance and resource) and its retry state. */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ name: 'organization_id', type: 'text' }) organizationId!: string;
  @Column({ type: 'text' }) resource!: string;
  @Column({ name: 'event_ids', type: 'text', array: true }) eventIds!: string[];
  /** Exact bytes sent on every attempt. */
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'text' }) status!: NotificationStatus;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'last_status_code', type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'replay_of', type: 'uuid', nullable: true }) replayOf!: string | null;
  /** W3C trace context the delivery continues (its first event's); null when tracing is off. */
  @Column({ type: 'text', nullable: true }) traceparent!: string | null;
  @Column({ name: 'lease_token', type: 'uuid', nullable: true }) leaseToken!: string | null;
  @Column({ name: 'oldest_event_at', type: 'timestamptz', nullable: true }) oldestEventAt!: Date | null;
}

/** The delivery log: one row per HTTP attempt (or refusal). */
@Entity({ name: 'delivery_attempts' })
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'notification_id', type: 'uuid' }) notificationId!: string;
  @Column({ name: 'instance_id', type: 'text' }) instanceId!: string;
  @Column({ type: 'integer' }) attempt!: number;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt!: Date;
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode!: number | null;
  @Column({ name: 'latency_ms', type: 'integer' }) latencyMs!: number;
  @Column({ type: 'text' }) outcome!: string;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'response_body', type: 'text', nullable: true }) responseBody!: string | null;
}

export const DISPATCHER_ENTITIES = [
  InstanceSettingsEntity,
  SubscriptionEntity,
  EventEntity,
  NotificationEntity,
  DeliveryAttemptEntity,
];
export const DISPATCHER_MIGRATIONS = [
  DispatcherSchema1764460800000,
  FinishedNotificationsIndex1796000000000,
  NotificationTraceparent1796083200000,
  DeliveryAttemptsInstanceIndex1796200000000,
  NotificationLeaseToken1796300000000,
  NotificationOldestEvent1796400000000,
  EventsJsonText1796500000000,
];
