import type { RememberedState } from '../normalize/decide';

/** Names one object across instances and resources. */
export interface ObjectRef {
  instanceId: string;
  resource: string;
  objectId: string;
}

export interface ObjectStateRow extends ObjectRef, RememberedState {
  lastEventId: string;
  lastPollId: string;
}

/** Map key of an object: JSON keeps the three parts apart whatever characters they contain. */
export function stateKey(ref: ObjectRef): string {
  return JSON.stringify([ref.instanceId, ref.resource, ref.objectId]);
}

/** The dedupe memory. Both calls are one round trip whatever the batch size. */
export abstract class ObjectStateStore {
  /** Remembered state of the given objects, by stateKey; unknown objects are absent. */
  abstract load(refs: ReadonlyArray<ObjectRef>): Promise<Map<string, RememberedState>>;
  /** Remembers the rows (at most one per object) unless the stored state is already newer; returns
   * how many rows were written. */
  abstract save(rows: ReadonlyArray<ObjectStateRow>): Promise<number>;
}
