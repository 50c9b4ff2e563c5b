import type { OutgoingMessage } from '@pollcast/service-kit';

/** Where events go. Resolves only once every message is durably acknowledged (acks=all), because the
 * dedupe state is committed after it: a state committed before the ack would lose the event on a crash. */
export abstract class EventSink {
  abstract publish(messages: ReadonlyArray<OutgoingMessage>): Promise<void>;
}
