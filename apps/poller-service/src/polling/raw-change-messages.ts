import {
  HEADERS,
  objectKey,
  toStorableJson,
  type DateField,
  type RawChange,
  type ResourcePoller,
} from '@pollcast/contracts';
import { parseRecordDate } from '@pollcast/date-template';
import type { HubResponse } from '@pollcast/elements';
import type { OutgoingMessage } from '@pollcast/service-kit';
import type { ClaimedPoll } from '../schedule/schedule.store';
import type { PollWindow } from '../schedule/timing';
import { objectIdOf, readDottedPath } from './record-fields';

/** One provider page as raw-change messages, and what was left out or mended on the way (for logs). */
export interface PageMessages {
  messages: OutgoingMessage[];
  /** The object id of each message, in order. */
  objectIds: string[];
  /** Records whose text held U+0000 or lone surrogates (replaced by U+FFFD). */
  sanitized: number;
  /** Records without a usable id (skipped). */
  withoutId: number;
  /** Records changed after the window end (left for the next window). */
  afterWindow: number;
}

/** The raw changes of one page, keyed `instanceId/resource/objectId`, with the poll id as correlation id. */
export function toRawChangeMessages(
  poll: ClaimedPoll,
  window: PollWindow,
  records: HubResponse['records'],
  pageIndex: number,
): PageMessages {
  const { config } = poll;
  const polledAt = new Date().toISOString();
  const filterField = config.filterByUpdatedDate ? config.updated : config.created;
  const result: PageMessages = { messages: [], objectIds: [], sanitized: 0, withoutId: 0, afterWindow: 0 };
  for (const providerRecord of records) {
    // Where records enter: text PostgreSQL cannot store (U+0000, lone surrogates) becomes U+FFFD, so
    // the record still reaches its callback and every consumer of the events topic can store it.
    const { value: record, replaced } = toStorableJson(providerRecord);
    if (replaced > 0) result.sanitized += 1;
    if (config.filterByCurrentDate && filterField && isAfter(record, filterField, window.to)) {
      result.afterWindow += 1; // changed after the poll started: the next window reads it
      continue;
    }
    const objectId = objectIdOf(record, config.idField);
    if (objectId === undefined) {
      result.withoutId += 1;
      continue;
    }
    const value: RawChange = {
      instanceId: poll.instanceId,
      organizationId: poll.organizationId,
      elementKey: poll.elementKey,
      resource: poll.resource,
      objectId,
      record,
      pollId: poll.pollId,
      window: {
        from: window.from.toISOString(),
        ...(config.filterByCurrentDate ? { to: window.to.toISOString() } : {}),
      },
      polledAt,
      page: pageIndex,
      ...dateConfigs(config),
      createdCheckTolerance: config.createdCheckTolerance,
      filterByUpdatedDate: config.filterByUpdatedDate,
      ...(config.deletions?.mode === 'flag'
        ? { deletedFlag: { field: config.deletions.field, value: config.deletions.value } }
        : {}),
    };
    result.objectIds.push(objectId);
    result.messages.push({
      key: objectKey(poll.instanceId, poll.resource, objectId),
      value,
      headers: { [HEADERS.correlationId]: poll.pollId },
    });
  }
  return result;
}

function dateConfigs(config: ResourcePoller): { updated?: DateField; created?: DateField } {
  return {
    ...(config.updated ? { updated: config.updated } : {}),
    ...(config.created ? { created: config.created } : {}),
  };
}

/** Is the record's date after `end`? Unreadable dates keep the record (the normalizer reports them). */
function isAfter(record: Record<string, unknown>, field: DateField, end: Date): boolean {
  try {
    return (
      parseRecordDate(readDottedPath(record, field.field), field.format, field.zone).getTime() > end.getTime()
    );
  } catch {
    return false;
  }
}
