import type { DataSource } from 'typeorm';
import { CoalescingQueue } from '@pollcast/service-kit';
import type { NotificationStatus } from '../database/dispatcher.entities';
import { returnedRows } from '../database/rows';

/** A notification claimed for one attempt, with what the dispatcher knows about its instance. */
export interface ClaimedNotification {
  id: string;
  /** This claim's token: completions and deferrals write only while the row still carries it. */
  leaseToken: string | null;
  instanceId: string;
  organizationId: string;
  body: string;
  eventCount: number;
  /** Attempts made before this one. */
  attempts: number;
  /** false after exhausted retries, until redelivery. */
  subscriptionActive: boolean;
  /** The W3C trace context its delivery continues (docs/tracing.md); null when tracing was off. */
  traceparent: string | null;
  /** Event time (the provider's date) of its oldest event, epoch ms: the delivery latency's start. */
  oldestEventAtMs: number | null;
  /** undefined when no snapshot of the instance has been consumed yet. */
  settings:
    | {
        enabled: boolean;
        eventsEnabled: boolean;
        callbackUrl: string | null;
        hasSignatureKey: boolean;
      }
    | undefined;
}

interface ClaimedRow {
  id: string;
  lease_token: string;
  instance_id: string;
  organization_id: string;
  body: string;
  event_count: number;
  attempts: number;
  subscription_active: boolean | null;
  settings_known: boolean;
  enabled: boolean | null;
  events_enabled: boolean | null;
  callback_url: string | null;
  has_signature_key: boolean | null;
  traceparent: string | null;
  oldest_event_ms: number | null;
}

export interface AttemptRecord {
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  outcome: string;
  error: string | null;
  responseBody: string | null;
}

export interface NotificationUpdate {
  status: Exclude<NotificationStatus, 'SENDING' | 'PENDING'>;
  attempts: number;
  nextAttemptAt?: Date;
  statusCode: number | null;
  error: string | null;
}

/** What a completion or deferral names: the notification, and the claim it was made under. */
export type NotificationClaim = Pick<ClaimedNotification, 'id' | 'instanceId' | 'leaseToken'>;

interface Completion {
  notificationId: string;
  instanceId: string;
  leaseToken: string | null;
  attempt: AttemptRecord | null;
  update: NotificationUpdate;
}

/** Postgres side of delivery: claims with SKIP LOCKED, attempt log, retry state, subscriptions. */
export class NotificationStore {
  private readonly completions = new CoalescingQueue<Completion>({
    run: (completions) => this.completeMany(completions),
    // Two statements at a time keep the connection pool free for claims and the consumer.
    maxConcurrent: 2,
    maxBatchSize: 500,
  });

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims due notifications (pending, retry due, or a SENDING whose lease expired after a crash).
   * The lease is `next_attempt_at`: another replica may take the row over only after it; each claim
   * gets a fresh `lease_token`, which fences what a replica paused past its lease writes on waking.
   */
  async claimDue(
    limit: number,
    excludedInstanceIds: ReadonlyArray<string>,
    leaseMs: number,
  ): Promise<ClaimedNotification[]> {
    const result: unknown = await this.dataSource.query(
      `WITH due AS (
         SELECT id, instance_id FROM notifications
         WHERE status IN ('PENDING', 'RETRYING', 'SENDING') AND next_attempt_at <= now()
           AND NOT (instance_id = ANY($2::text[]))
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE notifications n
       SET status = 'SENDING', lease_token = gen_random_uuid(), next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
           updated_at = now()
       FROM due
       LEFT JOIN subscriptions s ON s.instance_id = due.instance_id
       LEFT JOIN instance_settings i ON i.instance_id = due.instance_id
       WHERE n.id = due.id
       RETURNING n.id, n.lease_token, n.instance_id, n.organization_id, n.body, cardinality(n.event_ids) AS event_count,
         n.attempts, s.active AS subscription_active, (i.instance_id IS NOT NULL) AS settings_known,
         i.enabled, i.events_enabled, i.callback_url, i.has_signature_key, n.traceparent,
         COALESCE(extract(epoch FROM n.oldest_event_at) * 1000,
           -- rows written before the column existed
           (SELECT extract(epoch FROM min(e.event_date)) * 1000 FROM events e WHERE e.notification_id = n.id))::float8
           AS oldest_event_ms`,
      [limit, excludedInstanceIds, leaseMs],
    );
    return returnedRows<ClaimedRow>(result).map((row) => ({
      id: row.id,
      leaseToken: row.lease_token,
      instanceId: row.instance_id,
      organizationId: row.organization_id,
      body: row.body,
      eventCount: Number(row.event_count),
      attempts: row.attempts,
      subscriptionActive: row.subscription_active !== false,
      traceparent: row.traceparent,
      oldestEventAtMs: row.oldest_event_ms === null ? null : Number(row.oldest_event_ms),
      settings: row.settings_known
        ? {
            enabled: row.enabled === true,
            eventsEnabled: row.events_enabled === true,
            callbackUrl: row.callback_url,
            hasSignatureKey: row.has_signature_key === true,
          }
        : undefined,
    }));
  }

  /**
   * Writes the attempt to the log and the notification's new state. Completions that arrive while
   * another write is in flight share the next statement (one commit for many deliveries); the
   * promise resolves once the write that carried this one has committed. The attempt is always logged
   * (it happened); the state only while the row still carries this claim's token.
   */
  complete(
    claim: NotificationClaim,
    attempt: AttemptRecord | null,
    update: NotificationUpdate,
  ): Promise<void> {
    return this.completions.submit({
      notificationId: claim.id,
      instanceId: claim.instanceId,
      leaseToken: claim.leaseToken,
      attempt,
      update,
    });
  }

  private async completeMany(completions: ReadonlyArray<Completion>): Promise<void> {
    const logged = completions.filter(
      (completion): completion is Completion & { attempt: AttemptRecord } => completion.attempt !== null,
    );
    await this.dataSource.query(
      `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::text[],
           $16::uuid[]) AS u(id, status, attempts, next_attempt_at, status_code, error, lease_token)
       ), logged AS (
         INSERT INTO delivery_attempts
           (notification_id, instance_id, attempt, attempted_at, status_code, latency_ms, outcome, error, response_body)
         SELECT * FROM unnest($7::uuid[], $8::text[], $9::int[], $10::timestamptz[], $11::int[], $12::int[],
           $13::text[], $14::text[], $15::text[])
       )
       UPDATE notifications n SET status = u.status, attempts = u.attempts,
         next_attempt_at = COALESCE(u.next_attempt_at, n.next_attempt_at),
         last_status_code = COALESCE(u.status_code, n.last_status_code),
         last_error = u.error, updated_at = now(),
         delivered_at = CASE WHEN u.status = 'DELIVERED' THEN now() ELSE n.delivered_at END
       FROM u WHERE n.id = u.id AND n.lease_token IS NOT DISTINCT FROM u.lease_token`,
      [
        completions.map((completion) => completion.notificationId),
        completions.map((completion) => completion.update.status),
        completions.map((completion) => completion.update.attempts),
        completions.map((completion) => completion.update.nextAttemptAt ?? null),
        completions.map((completion) => completion.update.statusCode),
        completions.map((completion) => completion.update.error),
        logged.map((completion) => completion.notificationId),
        logged.map((completion) => completion.instanceId),
        logged.map((completion) => completion.attempt.attempt),
        logged.map((completion) => completion.attempt.attemptedAt),
        logged.map((completion) => completion.attempt.statusCode),
        logged.map((completion) => Math.round(completion.attempt.latencyMs)),
        logged.map((completion) => completion.attempt.outcome),
        logged.map((completion) => completion.attempt.error),
        logged.map((completion) => completion.attempt.responseBody),
        completions.map((completion) => completion.leaseToken),
      ],
    );
  }

  /** Puts a claimed notification back without counting an attempt (e.g. instance-service unreachable). */
  async defer(
    claim: NotificationClaim,
    attempts: number,
    untilMs: number,
    reason: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET status = $2, next_attempt_at = $3, last_error = COALESCE($4, last_error), updated_at = now()
       WHERE id = $1 AND lease_token IS NOT DISTINCT FROM $5`,
      [claim.id, attempts > 0 ? 'RETRYING' : 'PENDING', new Date(untilMs), reason, claim.leaseToken],
    );
  }

  /** Exhausted retries: the subscription is deactivated and everything else pending for it queues. */
  async deactivateSubscription(instanceId: string, reason: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO subscriptions (instance_id, active, deactivated_at, reason) VALUES ($1, false, now(), $2)
         ON CONFLICT (instance_id) DO UPDATE SET active = false, deactivated_at = now(), reason = EXCLUDED.reason`,
        [instanceId, reason],
      );
      const queued: unknown = await manager.query(
        `UPDATE notifications SET status = 'QUEUED', last_error = COALESCE(last_error, $2), updated_at = now()
         WHERE instance_id = $1 AND status IN ('PENDING', 'RETRYING')
         RETURNING id`,
        [instanceId, 'subscription deactivated'],
      );
      return returnedRows(queued).length;
    });
  }

  /**
   * Deletes delivered and failed notifications last touched before `before`, with their attempts and
   * the events they carried, in batches (short transactions, no long locks). Undelivered ones — pending,
   * retrying, queued — are never pruned. An event that a later replay moved to a newer notification stays.
   */
  async pruneFinished(before: Date, batchSize = 5000): Promise<{ notifications: number; events: number }> {
    let notifications = 0;
    let events = 0;
    for (;;) {
      const result: unknown = await this.dataSource.query(
        `WITH doomed AS (
           SELECT id FROM notifications
           WHERE status IN ('DELIVERED', 'FAILED') AND updated_at < $1
           ORDER BY updated_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED
         ), attempts AS (
           DELETE FROM delivery_attempts a USING doomed WHERE a.notification_id = doomed.id
         ), pruned_events AS (
           DELETE FROM events e USING doomed WHERE e.notification_id = doomed.id RETURNING 1
         ), pruned AS (
           DELETE FROM notifications n USING doomed WHERE n.id = doomed.id RETURNING 1
         )
         SELECT (SELECT count(*) FROM pruned)::int AS notifications,
                (SELECT count(*) FROM pruned_events)::int AS events`,
        [before, batchSize],
      );
      const [counts] = returnedRows<{ notifications: number; events: number }>(result);
      notifications += counts?.notifications ?? 0;
      events += counts?.events ?? 0;
      if ((counts?.notifications ?? 0) < batchSize) return { notifications, events };
    }
  }

  /** Retry queue depth by status and the age of the oldest undelivered notification. */
  async backlog(): Promise<{
    pending: number;
    retrying: number;
    sending: number;
    queued: number;
    oldestPendingSeconds: number;
  }> {
    const rows: { status: string; count: string; oldest: number | null }[] = await this.dataSource.query(
      `SELECT status, count(*) AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
       FROM notifications WHERE status IN ('PENDING', 'RETRYING', 'SENDING', 'QUEUED') GROUP BY status`,
    );
    const of = (status: string) => rows.find((row) => row.status === status);
    const undelivered = rows.filter((row) => row.status !== 'QUEUED').map((row) => row.oldest ?? 0);
    return {
      pending: Number(of('PENDING')?.count ?? 0),
      retrying: Number(of('RETRYING')?.count ?? 0),
      sending: Number(of('SENDING')?.count ?? 0),
      queued: Number(of('QUEUED')?.count ?? 0),
      oldestPendingSeconds: undelivered.length > 0 ? Math.max(...undelivered) : 0,
    };
  }
}
