// One instance: status and actions, poller state, recent polls, charts of the last 24 h, and the live event list with
// deliveries. Each panel loads on its own, so a service that is down only blanks its own panel.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { Instance } from '../api/types';
import { useApi } from '../api-context';
import { PowerIcon, TrashIcon } from '../components/icons';
import { LoadedPanel } from '../components/loaded-panel';
import { formatDate, GenericTable, Notice, PageTitle, Spinner } from '../components/ui';
import { takeFlash } from '../lib/flash';
import { navigate, paths } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { DeliveryChartsPanel } from './detail/delivery-charts-panel';
import { EventsPanel } from './detail/events-panel';
import { LIVE_INTERVAL_MS } from './detail/use-live-events';
import { InstanceStatusBadges } from './instance-list';

export function InstanceDetailPage({ instanceId }: { readonly instanceId: string }) {
  const api = useApi();
  const instance = useLoad(() => api.getInstance(instanceId), [api, instanceId]);
  const [flash] = useState(() => takeFlash());

  return (
    <section>
      {instance.error !== undefined && (
        <>
          <PageTitle>Instance {instanceId}</PageTitle>
          <Notice tone="error">
            {instance.error instanceof ApiError && instance.error.status === 404
              ? 'This instance does not exist (or was deleted).'
              : instance.error.message}
          </Notice>
        </>
      )}
      {instance.loading && instance.data === undefined && instance.error === undefined && (
        <Spinner label="Loading the instance…" />
      )}
      {instance.data !== undefined && (
        <>
          <InstanceHeader instance={instance.data} onChanged={instance.reload} />
          {flash !== null && <Notice tone="success">{flash}</Notice>}
          <div className="detail-grid">
            <PollerPanel instanceId={instanceId} />
            <PollsPanel instanceId={instanceId} />
          </div>
          <DeliveryChartsPanel instanceId={instanceId} />
          <EventsPanel instanceId={instanceId} />
        </>
      )}
    </section>
  );
}

function InstanceHeader({
  instance,
  onChanged,
}: {
  readonly instance: Instance;
  readonly onChanged: () => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirmingDelete) confirmButton.current?.focus();
  }, [confirmingDelete]);

  const run = async (action: () => Promise<void>, after: () => void) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      after();
    } catch (error: unknown) {
      setProblem(error instanceof Error ? error.message : 'The action failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="instance-header">
      <div className="page-head">
        <div>
          <PageTitle>{instance.name}</PageTitle>
          <p className="muted">
            {instance.elementName} · id <code>{instance.id}</code> · created{' '}
            {formatDate(instance.createdDate)}
          </p>
          <InstanceStatusBadges instance={instance} />
        </div>
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run(() => api.setEnabled(instance.id, !instance.enabled), onChanged)}
          >
            <PowerIcon />
            {instance.enabled ? 'Disable' : 'Enable'}
          </button>
          {!confirmingDelete && (
            <button
              type="button"
              ref={deleteButton}
              className="button button-danger"
              disabled={busy}
              onClick={() => setConfirmingDelete(true)}
            >
              <TrashIcon />
              Delete…
            </button>
          )}
        </div>
      </div>
      {confirmingDelete && (
        <div className="confirm card" role="group" aria-labelledby="confirm-delete-text">
          <p id="confirm-delete-text">
            Delete <strong>{instance.name}</strong>? Polling stops and its credentials are removed.
          </p>
          <button
            type="button"
            ref={confirmButton}
            className="button button-danger"
            disabled={busy}
            onClick={() =>
              void run(
                () => api.deleteInstance(instance.id),
                () => navigate(paths.instances()),
              )
            }
          >
            Delete instance
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setConfirmingDelete(false);
              requestAnimationFrame(() => deleteButton.current?.focus());
            }}
          >
            Cancel
          </button>
        </div>
      )}
      {problem !== null && <Notice tone="error">{problem}</Notice>}
    </div>
  );
}

function PollerPanel({ instanceId }: { readonly instanceId: string }) {
  const api = useApi();
  const state = useLoad(() => api.getPollerState(instanceId), [api, instanceId], {
    refreshMs: LIVE_INTERVAL_MS,
  });
  const [pollMessage, setPollMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const pollNow = async () => {
    try {
      await api.pollNow(instanceId);
      setPollMessage({ tone: 'success', text: 'Poll requested; new events appear below.' });
      state.reload();
    } catch (error: unknown) {
      setPollMessage({
        tone: 'error',
        text: error instanceof Error ? error.message : 'Poll request failed.',
      });
    }
  };
  return (
    <LoadedPanel
      id="poller"
      title="Poller state"
      loaded={state}
      refreshLabel="Refresh poller state"
      loadingLabel="Loading poller state…"
      actions={
        <button type="button" className="button button-small" onClick={() => void pollNow()}>
          Poll now
        </button>
      }
      notice={pollMessage !== null && <Notice tone={pollMessage.tone}>{pollMessage.text}</Notice>}
    >
      {(rows) => (
        <GenericTable
          rows={rows}
          caption="Poller state per resource"
          preferred={['resource', 'state', 'running', 'watermark', 'nextDueAt', 'lastSuccessAt', 'lastError']}
          emptyText="The poller has no state for this instance yet."
        />
      )}
    </LoadedPanel>
  );
}

function PollsPanel({ instanceId }: { readonly instanceId: string }) {
  const api = useApi();
  const polls = useLoad(() => api.listPolls(instanceId), [api, instanceId], { refreshMs: LIVE_INTERVAL_MS });
  return (
    <LoadedPanel
      id="polls"
      title="Recent polls"
      loaded={polls}
      refreshLabel="Refresh recent polls"
      loadingLabel="Loading polls…"
    >
      {(rows) => (
        <GenericTable
          rows={rows.slice(0, 20)}
          caption="Recent poll runs"
          preferred={['resource', 'status', 'startedAt', 'finishedAt', 'pages', 'records', 'error']}
          maxColumns={7}
          emptyText="No poll has run yet."
        />
      )}
    </LoadedPanel>
  );
}
