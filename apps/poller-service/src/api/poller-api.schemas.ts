// The poller API's input schemas (validated by the controller's pipes) and the views its use cases answer.
import { z } from 'zod';
import { instantSchema, pageSizeSchema } from '@pollcast/service-kit';
import type { LastReconciliation } from '../reconciliation/reconciliation.store';
import type { PollRunView } from '../runs/runs.store';

export const MAX_POLLS_PAGE_SIZE = 200;

export const pollsQuerySchema = z.object({
  pageSize: pageSizeSchema(MAX_POLLS_PAGE_SIZE, 50),
  nextPage: z.string().min(1).optional(),
  resource: z.string().min(1).optional(),
  status: z.enum(['succeeded', 'failed', 'abandoned', 'superseded']).optional(),
});

export const pollNowBodySchema = z
  .object({ resource: z.string().min(1).optional(), reconcile: z.boolean().optional() })
  .strict()
  .optional();

export const watermarkBodySchema = z.object({ watermark: instantSchema }).strict();

export type PollsQuery = z.output<typeof pollsQuerySchema>;
export type PollNowBody = z.output<typeof pollNowBodySchema>;
export type WatermarkBody = z.output<typeof watermarkBodySchema>;

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
  /** Deletion detection by reconciliation; null when the resource's deletions are not reconciled. */
  reconciliation: ReconciliationStateView | null;
}

export interface ReconciliationStateView {
  running: boolean;
  nextDueAt: string | null;
  requested: boolean;
  last: LastReconciliation | null;
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
