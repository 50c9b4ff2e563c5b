import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  DomainError,
  ErrorCode,
  instantSchema,
  pageSizeSchema,
  RequestValidationError,
} from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import { ScheduleStore, type ScheduleView } from '../schedule/schedule.store';
import { RunsStore, type PollRunView } from '../runs/runs.store';

export const MAX_POLLS_PAGE_SIZE = 200;

export const pollsQuerySchema = z.object({
  pageSize: pageSizeSchema(MAX_POLLS_PAGE_SIZE, 50),
  nextPage: z.string().min(1).optional(),
  resource: z.string().min(1).optional(),
  status: z.enum(['succeeded', 'failed', 'abandoned', 'superseded']).optional(),
});

export const pollNowBodySchema = z
  .object({ resource: z.string().min(1).optional() })
  .strict()
  .optional();

export const watermarkBodySchema = z.object({ watermark: instantSchema }).strict();

export type PollsQuery = z.output<typeof pollsQuerySchema>;
export type PollNowBody = z.output<typeof pollNowBodySchema>;
export type WatermarkBody = z.output<typeof watermarkBodySchema>;

const cursorSchema = z.object({ startedAt: instantSchema, id: z.uuid() });

export interface ResourceStateView {
  resource: string;
  active: boolean;
  state: 'ok' | 'failing' | 'error' | 'disabled';
  running: boolean;
  intervalSeconds: number;
  nextDueAt: string | null;
  watermark: string;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  pollRequested: boolean;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

export interface PollRunResponse {
  id: string;
  instanceId: string;
  resource: string;
  elementKey: string;
  status: PollRunView['status'];
  scheduledFor: string;
  startedAt: string;
  finishedAt: string;
  window: { from: string; to: string };
  pages: number;
  records: number;
  error: { kind: string | null; message: string } | null;
  owner: string;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The use cases behind the poller's HTTP API, scoped to the caller's organization: another
 * organization's instance is indistinguishable from a missing one (404). */
@Injectable()
export class PollerApi {
  constructor(
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(RunsStore) private readonly runs: RunsStore,
  ) {}

  async listPolls(
    principal: Principal,
    instanceId: string,
    query: PollsQuery,
  ): Promise<{ polls: PollRunResponse[]; nextPage: string | undefined }> {
    // Input first (the query itself is checked by the controller's pipe): a bad page token is a 400
    // whether or not the instance exists.
    const after = query.nextPage === undefined ? undefined : decodeCursor(query.nextPage);
    await this.requireInstance(principal, instanceId);
    const { runs, more } = await this.runs.page({
      instanceId,
      resource: query.resource,
      status: query.status,
      limit: query.pageSize,
      after,
    });
    const last = runs.at(-1);
    return {
      polls: runs.map(toRunResponse),
      nextPage: more && last ? encodeCursor(last) : undefined,
    };
  }

  async pollerState(
    principal: Principal,
    instanceId: string,
  ): Promise<{ instanceId: string; active: boolean; resources: ResourceStateView[] }> {
    const instance = await this.requireInstance(principal, instanceId);
    const schedules = await this.schedules.listSchedules(instanceId);
    return { instanceId, active: instance.active, resources: schedules.map(toStateView) };
  }

  async pollNow(
    principal: Principal,
    instanceId: string,
    parsed: PollNowBody,
  ): Promise<{ requested: number }> {
    const instance = await this.requireInstance(principal, instanceId);
    if (!instance.active) {
      throw new DomainError(
        ErrorCode.NOT_POLLING,
        `Instance ${instanceId} is not polling (disabled or events off)`,
        409,
      );
    }
    const requested = await this.schedules.requestPoll(instanceId, parsed?.resource);
    if (requested === 0 && parsed?.resource !== undefined) {
      throw new DomainError(
        ErrorCode.NOT_FOUND,
        `Instance ${instanceId} does not poll resource ${parsed.resource}`,
        404,
      );
    }
    return { requested };
  }

  async resetWatermark(
    principal: Principal,
    instanceId: string,
    resource: string,
    { watermark }: WatermarkBody,
  ): Promise<ResourceStateView> {
    await this.requireInstance(principal, instanceId);
    const at = new Date(watermark);
    if (at.getTime() > Date.now()) {
      throw new RequestValidationError('Invalid body: watermark: must not be in the future', [
        { path: 'watermark', message: 'must not be in the future' },
      ]);
    }
    if (!(await this.schedules.resetWatermark(instanceId, resource, at))) {
      throw new DomainError(
        ErrorCode.NOT_FOUND,
        `Instance ${instanceId} does not poll resource ${resource}`,
        404,
      );
    }
    const view = (await this.schedules.listSchedules(instanceId)).find(
      (schedule) => schedule.resource === resource,
    );
    if (!view)
      throw new DomainError(
        ErrorCode.NOT_FOUND,
        `Instance ${instanceId} does not poll resource ${resource}`,
        404,
      );
    return toStateView(view);
  }

  private async requireInstance(principal: Principal, instanceId: string) {
    const instance = await this.schedules.findInstance(instanceId);
    const visible =
      instance !== undefined &&
      instance.organizationId === principal.organizationId &&
      (principal.instanceId === null || principal.instanceId === instanceId);
    if (!visible) throw new DomainError(ErrorCode.NOT_FOUND, `Instance ${instanceId} not found`, 404);
    return instance;
  }
}

function toStateView(schedule: ScheduleView): ResourceStateView {
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
  };
}

function toRunResponse(run: PollRunView): PollRunResponse {
  return {
    id: run.id,
    instanceId: run.instanceId,
    resource: run.resource,
    elementKey: run.elementKey,
    status: run.status,
    scheduledFor: run.scheduledFor.toISOString(),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    window: { from: run.windowFrom.toISOString(), to: run.windowTo.toISOString() },
    pages: run.pages,
    records: run.records,
    error: run.error === null ? null : { kind: run.errorKind, message: run.error },
    owner: run.owner,
  };
}

function encodeCursor(run: PollRunView): string {
  return Buffer.from(JSON.stringify({ startedAt: run.startedAt.toISOString(), id: run.id })).toString(
    'base64url',
  );
}

function decodeCursor(token: string): { startedAt: Date; id: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const cursor = cursorSchema.safeParse(decoded);
  if (!cursor.success) {
    throw new RequestValidationError('Invalid query: nextPage: not a page token from this API', [
      { path: 'nextPage', message: 'not a page token from this API' },
    ]);
  }
  return { startedAt: new Date(cursor.data.startedAt), id: cursor.data.id };
}
