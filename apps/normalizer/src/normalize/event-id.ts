import { hash } from 'node:crypto';

/** What identifies one change of one object. */
export interface EventIdInput {
  instanceId: string;
  resource: string;
  objectId: string;
  /** The record's updated date (epoch ms), or null when it has none or it could not be parsed. */
  updatedMs: number | null;
  /** Content hash (hex SHA-256 of the canonical record), or null when the updated date alone names the
   * change. */
  contentHash: string | null;
}

/** Versioned so a future change of the formula cannot collide with ids already issued. */
const ID_NAMESPACE = 'pollcast.event.v1';

/**
 * The event id: SHA-256 of the JSON array
 * `["pollcast.event.v1", instanceId, resource, objectId, updatedIso | null, contentHash | null]`
 * (updatedIso = `Date#toISOString()`, millisecond precision, UTC), its first 16 bytes written as an
 * RFC 9562 UUID version 8 (version nibble 8, variant bits 10). The same change, however often it is
 * polled or reprocessed, gets the same id; the JSON array keeps the parts unambiguous whatever they contain.
 */
export function eventId(input: EventIdInput): string {
  const material = JSON.stringify([
    ID_NAMESPACE,
    input.instanceId,
    input.resource,
    input.objectId,
    input.updatedMs === null ? null : new Date(input.updatedMs).toISOString(),
    input.contentHash,
  ]);
  const bytes = hash('sha256', material, 'buffer').subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
