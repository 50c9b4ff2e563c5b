import { contextOfTraceparent, linksTo, ROOT_CONTEXT, type SpanSpec } from '@pollcast/telemetry';
import type { ClaimedNotification } from './notification.store';

/**
 * Where an attempt's span goes. The first attempt continues the trace its events came in (a child of
 * the context stored with the notification); a retry, seconds to hours later, starts a trace of its own
 * linked to it: backends and tail samplers close a trace long before a retry hours later, and one poll's
 * trace should not grow for a day.
 */
export function deliverySpan(
  notification: Pick<ClaimedNotification, 'id' | 'instanceId' | 'attempts' | 'traceparent'>,
): SpanSpec {
  const stored = contextOfTraceparent(notification.traceparent);
  return {
    ...(notification.attempts === 0 ? { parent: stored } : { parent: ROOT_CONTEXT, links: linksTo(stored) }),
    attributes: {
      'pollcast.notification_id': notification.id,
      'pollcast.instance_id': notification.instanceId,
      'pollcast.attempt': notification.attempts + 1,
    },
  };
}
