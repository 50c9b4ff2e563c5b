// The instance's events, live, with each event's deliveries and attempts one click away.
import { Fragment, useState } from 'react';
import type { EventDetail, EventSummary } from '../../api/types';
import { useApi } from '../../api-context';
import { SendIcon } from '../../components/icons';
import { Badge, displayValue, formatDate, Notice, Spinner, type Tone } from '../../components/ui';
import { useLoad } from '../../lib/use-load';
import { useLiveEvents } from './use-live-events';

function statusTone(status: string | undefined): Tone {
  const normalized = (status ?? '').toUpperCase();
  if (['DELIVERED', 'NOTIFIED', 'CONSUMED', 'SUCCEEDED', 'SUCCESS', 'OK'].includes(normalized)) return 'good';
  if (['FAILED', 'DEAD', 'ERROR', 'QUEUED', 'DEACTIVATED'].includes(normalized)) return 'bad';
  if (['RETRYING', 'PENDING', 'DISPATCHED'].includes(normalized)) return 'warn';
  return 'neutral';
}

export function EventsPanel({ instanceId }: { readonly instanceId: string }) {
  const api = useApi();
  const live = useLiveEvents(instanceId);
  const [openEventId, setOpenEventId] = useState<string | null>(null);
  const [redeliverMessage, setRedeliverMessage] = useState<{
    tone: 'success' | 'error';
    text: string;
  } | null>(null);

  const redeliver = async (eventIds?: string[]) => {
    setRedeliverMessage(null);
    try {
      await api.redeliver(instanceId, eventIds);
      setRedeliverMessage({
        tone: 'success',
        text:
          eventIds === undefined
            ? 'Queued deliveries sent again.'
            : `Event ${eventIds.join(', ')} sent again.`,
      });
      live.refresh();
    } catch (error: unknown) {
      setRedeliverMessage({
        tone: 'error',
        text: error instanceof Error ? error.message : 'Redelivery failed.',
      });
    }
  };

  return (
    <section className="card panel events-panel" aria-labelledby="events-heading">
      <div className="panel-head">
        <h2 id="events-heading">
          Events{' '}
          <span
            className={`live-dot ${live.live ? 'on' : ''}`}
            title={live.live ? 'Live: updates every 2 s' : 'Paused'}
          >
            <span className="visually-hidden">{live.live ? '(live)' : '(paused)'}</span>
          </span>
        </h2>
        <button type="button" className="button" onClick={() => void redeliver()}>
          <SendIcon />
          Redeliver queued
        </button>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {live.lastArrivals > 0 ? `${live.lastArrivals} new event${live.lastArrivals === 1 ? '' : 's'}` : ''}
      </p>
      {redeliverMessage !== null && <Notice tone={redeliverMessage.tone}>{redeliverMessage.text}</Notice>}
      {live.error !== undefined && <Notice tone="error">{live.error.message}</Notice>}
      {live.events === undefined && live.error === undefined && <Spinner label="Loading events…" />}
      {live.events !== undefined && live.events.length === 0 && (
        <p className="empty">No events yet. Changes found by the poller appear here within seconds.</p>
      )}
      {live.events !== undefined && live.events.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Event list">
          <table className="events-table">
            <caption className="visually-hidden">Events of this instance, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Object</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {live.events.map((event) => (
                <EventRow
                  key={event.id}
                  instanceId={instanceId}
                  event={event}
                  isNew={live.newIds.has(event.id)}
                  open={openEventId === event.id}
                  onToggle={() => setOpenEventId((current) => (current === event.id ? null : event.id))}
                  onRedeliver={() => void redeliver([event.id])}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EventRow({
  instanceId,
  event,
  isNew,
  open,
  onToggle,
  onRedeliver,
}: {
  readonly instanceId: string;
  readonly event: EventSummary;
  readonly isNew: boolean;
  readonly open: boolean;
  readonly onToggle: () => void;
  readonly onRedeliver: () => void;
}) {
  const detailId = `event-detail-${event.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <Fragment>
      <tr className={isNew ? 'event-row new' : 'event-row'} data-event-id={event.id}>
        <td>{formatDate(event.date)}</td>
        <td>{event.eventType ?? '—'}</td>
        <td>
          {event.objectType ?? '—'} <code className="object-id">{event.objectId ?? ''}</code>
        </td>
        <td>
          <Badge tone={statusTone(event.status)}>{event.status ?? 'unknown'}</Badge>
        </td>
        <td className="row-actions">
          <button
            type="button"
            className="button button-small"
            aria-expanded={open}
            aria-controls={detailId}
            onClick={onToggle}
          >
            {open ? 'Hide' : 'Deliveries'}
          </button>
          <button type="button" className="button button-small" onClick={onRedeliver}>
            Redeliver
            <span className="visually-hidden"> event {event.id}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr className="event-detail-row">
          <td colSpan={5} id={detailId}>
            <EventDetailView instanceId={instanceId} eventId={event.id} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function EventDetailView({ instanceId, eventId }: { readonly instanceId: string; readonly eventId: string }) {
  const api = useApi();
  const detail = useLoad(() => api.getEvent(instanceId, eventId), [api, instanceId, eventId]);
  if (detail.error !== undefined) return <Notice tone="error">{detail.error.message}</Notice>;
  if (detail.data === undefined) return <Spinner label="Loading deliveries…" />;
  return <Deliveries event={detail.data} />;
}

function Deliveries({ event }: { readonly event: EventDetail }) {
  return (
    <div className="deliveries">
      <p className="muted">
        Event <code>{event.id}</code>
      </p>
      {event.deliveries.length === 0 && <p className="empty">No delivery recorded for this event yet.</p>}
      {event.deliveries.map((delivery, index) => (
        <div key={delivery.id ?? index} className="delivery">
          <h3>
            Delivery {delivery.id ?? index + 1}{' '}
            <Badge tone={statusTone(delivery.status)}>{delivery.status ?? 'unknown'}</Badge>
          </h3>
          {delivery.callbackUrl !== undefined && (
            <p className="muted">
              to <code>{delivery.callbackUrl}</code>
            </p>
          )}
          {delivery.attempts.length === 0 ? (
            <p className="empty">No attempt yet.</p>
          ) : (
            <ol className="attempts">
              {delivery.attempts.map((attempt, attemptIndex) => (
                <li key={attemptIndex}>
                  Attempt {attempt.number ?? attemptIndex + 1} · {formatDate(attempt.at)} ·{' '}
                  {attempt.httpStatus !== undefined
                    ? `HTTP ${attempt.httpStatus}`
                    : displayValue(attempt.status)}
                  {attempt.error !== undefined && <span className="attempt-error"> · {attempt.error}</span>}
                </li>
              ))}
            </ol>
          )}
        </div>
      ))}
      <details>
        <summary>Raw event</summary>
        <pre className="raw">{JSON.stringify(event.raw, null, 2)}</pre>
      </details>
    </div>
  );
}
