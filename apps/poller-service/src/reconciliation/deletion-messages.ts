import { HEADERS, objectKey, type RawChange } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';
import type { ClaimedReconciliation } from './reconciliation.store';

/**
 * Deletion raw changes: one per id a complete listing did not return, keyed `instanceId/resource/objectId`
 * like the object's other changes (same partition, so they stay in order), with an empty record and the
 * reconciliation's id where a poll's id would be. The window is the listing's start: the deletion
 * happened before the listing, after the id was last seen.
 */
export function deletionMessages(
  run: ClaimedReconciliation,
  objectIds: readonly string[],
  noticedAt: Date,
): OutgoingMessage[] {
  const polledAt = noticedAt.toISOString();
  const from = new Date(run.startedAt).toISOString();
  return objectIds.map((objectId) => {
    const value: RawChange = {
      instanceId: run.instanceId,
      organizationId: run.organizationId,
      elementKey: run.elementKey,
      resource: run.resource,
      objectId,
      record: {},
      pollId: run.runId,
      window: { from },
      polledAt,
      page: 0,
      ...(run.config.updated ? { updated: run.config.updated } : {}),
      ...(run.config.created ? { created: run.config.created } : {}),
      createdCheckTolerance: run.config.createdCheckTolerance,
      filterByUpdatedDate: run.config.filterByUpdatedDate,
      deleted: true,
    };
    return {
      key: objectKey(run.instanceId, run.resource, objectId),
      value,
      headers: { [HEADERS.correlationId]: run.runId },
    };
  });
}
