import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import type { ScheduleStore, ScheduleView } from '../schedule/schedule.store';
import type { ResourceStateView } from './poller-api.schemas';

/** The instance as the caller may see it: another organization's instance (or another instance than an
 * Element token's) is indistinguishable from a missing one (404). */
export async function findVisibleInstance(
  schedules: ScheduleStore,
  principal: Principal,
  instanceId: string,
) {
  const instance = await schedules.findInstance(instanceId);
  const visible =
    instance !== undefined &&
    instance.organizationId === principal.organizationId &&
    (principal.instanceId === null || principal.instanceId === instanceId);
  if (!visible) throw new DomainError(ErrorCode.NOT_FOUND, `Instance ${instanceId} not found`, 404);
  return instance;
}

export function resourceNotPolled(instanceId: string, resource: string): DomainError {
  return new DomainError(
    ErrorCode.NOT_FOUND,
    `Instance ${instanceId} does not poll resource ${resource}`,
    404,
  );
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toStateView(schedule: ScheduleView): ResourceStateView {
  const running =
    schedule.currentPollId !== null &&
    schedule.leaseExpiresAt !== null &&
    schedule.leaseExpiresAt.getTime() > Date.now();
  return {
    resource: schedule.resource,
    active: schedule.active,
    state: schedule.active ? schedule.state : 'disabled',
    running,
    intervalSeconds: schedule.intervalSeconds,
    // While a poll holds the row, next_due_at is its lease expiry, not a due time.
    nextDueAt: !schedule.active || schedule.currentPollId !== null ? null : iso(schedule.nextDueAt),
    watermark: schedule.watermark.toISOString(),
    consecutiveFailures: schedule.consecutiveFailures,
    lastError: schedule.lastError,
    lastErrorAt: iso(schedule.lastErrorAt),
    lastSuccessAt: iso(schedule.lastSuccessAt),
    pollRequested: schedule.pollRequested,
    leaseOwner: running ? schedule.leaseOwner : null,
    leaseExpiresAt: running ? iso(schedule.leaseExpiresAt) : null,
    reconciliation: reconciliationView(schedule),
  };
}

function reconciliationView(schedule: ScheduleView): ResourceStateView['reconciliation'] {
  const running =
    schedule.reconcileRunId !== null &&
    schedule.reconcileLeaseExpiresAt !== null &&
    schedule.reconcileLeaseExpiresAt.getTime() > Date.now();
  if (schedule.reconcileNextDueAt === null && !running && schedule.lastReconciliation === null) return null;
  return {
    running,
    // While a run holds the row, reconcile_next_due_at is its lease expiry, not a due time.
    nextDueAt: !schedule.active || schedule.reconcileRunId !== null ? null : iso(schedule.reconcileNextDueAt),
    requested: schedule.reconcileRequested,
    last: schedule.lastReconciliation,
  };
}
