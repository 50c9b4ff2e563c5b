import { Inject, Injectable } from '@nestjs/common';
import { standardEventSchema, topicName, type RawChange } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';
import {
  contextFromHeaders,
  contextOf,
  endSpan,
  kafkaSpanAttributes,
  SpanKind,
  startSpan,
  traceHeaders,
  type Span,
} from '@pollcast/telemetry';
import { EventSink } from '../publish/event-sink';
import { ObjectStateStore, stateKey, type ObjectStateRow } from '../state/object-state.store';
import { NORMALIZER_SETTINGS, type NormalizerSettings } from '../settings';
import { buildEvent, eventMessage } from './build-event';
import { decide, prepareChange, type EmittedType, type SuppressReason } from './decide';

/** One raw change of a batch, with whatever the caller needs to dead-letter it. */
export interface BatchItem<M> {
  change: RawChange;
  message: M;
  /** The message's Kafka headers: the poll's trace context travels in them. */
  headers?: Readonly<Record<string, string>>;
}

export interface BatchOutcome<M> {
  events: Record<EmittedType, number>;
  suppressed: Record<SuppressReason, number>;
  dateParseErrors: number;
  /** Messages that can never be processed (deterministic failures): the caller dead-letters them. */
  rejected: Array<{ message: M; reason: string }>;
  /** State rows not written because the stored state was already newer (a concurrent owner). */
  staleWrites: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Raw changes of one partition, in offset order → events. One state read, one publish (acks=all), then
 * one state write: the state is committed only after the events are acknowledged, so a crash in between
 * re-emits the same events with the same ids (consumers dedupe on them) and never loses one.
 * Throwing means "transient; retry the whole batch", which the deterministic decisions make safe.
 */
@Injectable()
export class NormalizeRawChanges {
  constructor(
    @Inject(ObjectStateStore) private readonly states: ObjectStateStore,
    @Inject(EventSink) private readonly sink: EventSink,
    @Inject(NORMALIZER_SETTINGS) private readonly settings: Pick<NormalizerSettings, 'maxEventBytes'>,
  ) {}

  async execute<M>(
    items: ReadonlyArray<BatchItem<M>>,
    now: () => number = Date.now,
  ): Promise<BatchOutcome<M>> {
    const outcome: BatchOutcome<M> = {
      events: { CREATED: 0, UPDATED: 0, DELETED: 0 },
      suppressed: { before_window: 0, duplicate: 0, stale: 0 },
      dateParseErrors: 0,
      rejected: [],
      staleWrites: 0,
    };
    if (items.length === 0) return outcome;
    // The remembered state, advanced as the batch goes so several reads of one object in one batch
    // are deduped against each other.
    const working = await this.states.load(items.map(({ change }) => change));
    const toRemember = new Map<string, ObjectStateRow>();
    const outgoing: OutgoingMessage[] = [];
    // One span per raw change, continuing its poll's trace; its event carries it on (ce_traceparent too).
    // They end when the events are acknowledged, so each one's duration includes the publish.
    const spans: Span[] = [];
    for (const { change, message, headers: consumed } of items) {
      const span = startSpan('normalize', {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(consumed),
        attributes: kafkaSpanAttributes(topicName('rawChanges'), 'process'),
      });
      spans.push(span);
      try {
        const prepared = prepareChange(change);
        if (prepared.updated?.ok === false || prepared.created?.ok === false) outcome.dateParseErrors += 1;
        const key = stateKey(change);
        const decision = decide(prepared, working.get(key));
        if (decision.kind === 'suppress') {
          outcome.suppressed[decision.reason] += 1;
          span.setAttribute('pollcast.suppressed', decision.reason);
          continue;
        }
        const event = buildEvent(change, decision, now());
        const checked = standardEventSchema.safeParse(event);
        if (!checked.success) {
          throw new Error(`the event does not match its schema: ${checked.error.issues[0]?.message ?? ''}`);
        }
        const { key: messageKey, headers } = eventMessage(event);
        const body = Buffer.from(JSON.stringify(event), 'utf8');
        if (body.byteLength > this.settings.maxEventBytes) {
          throw new Error(
            `the event is ${body.byteLength} bytes, above the ${this.settings.maxEventBytes} limit`,
          );
        }
        // Only a message that made it this far changes what the rest of the batch compares against.
        working.set(key, decision.nextState);
        toRemember.set(key, {
          instanceId: change.instanceId,
          resource: change.resource,
          objectId: change.objectId,
          ...decision.nextState,
          lastEventId: decision.eventId,
          lastPollId: change.pollId,
        });
        span.setAttribute('pollcast.event_id', decision.eventId);
        outgoing.push({
          key: messageKey,
          value: event,
          rawValue: body,
          headers: { ...headers, ...traceHeaders({ cloudEvents: true }, contextOf(span)) },
        });
        outcome.events[decision.eventType] += 1;
      } catch (error) {
        span.setAttribute('pollcast.rejected', true);
        outcome.rejected.push({
          message,
          reason: `normalizer could not process the change: ${describe(error)}`,
        });
      }
    }
    try {
      await this.sink.publish(outgoing);
      const written = await this.states.save([...toRemember.values()]);
      outcome.staleWrites = toRemember.size - written;
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
    for (const span of spans) endSpan(span);
    return outcome;
  }
}
