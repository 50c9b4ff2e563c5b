// Create instance, the way Open Connectors' UI does it: name, OAuth "Connect", events switch,
// callback URL, refresh interval, resources to poll (form and code view), tags → POST /instances.
// Server validation errors come back by path and are shown beside their fields.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, type CreateInstanceBody } from '../api/client';
import type { ElementDetail, FieldIssue } from '../api/types';
import { useApi } from '../api-context';
import { Switch, TextField } from '../components/field';
import { CheckIcon, LinkIcon } from '../components/icons';
import { Notice, PageTitle, Spinner } from '../components/ui';
import { fieldIdOf, targetOfPath, type FieldTarget } from '../lib/error-paths';
import { parseJsonObject } from '../lib/json-location';
import {
  clearPending,
  isOAuthMessage,
  OAUTH_CHANNEL,
  loadPending,
  newState,
  savePending,
  saveDraft,
  takeDraft,
  takeResult,
  toOAuthResult,
  type OAuthResult,
} from '../lib/oauth';
import { formatPollerConfiguration, withResources, type PollerConfiguration } from '../lib/poller-config';
import { navigate, paths } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { setFlash } from '../lib/flash';
import { PollerCodeView } from './create/code-view';
import { ResourceEditor, type ResourceIssue } from './create/resource-editor';
import { ResourcePicker } from './create/resource-picker';
import { TagsInput } from './create/tags-input';

const DEFAULT_REFRESH_MINUTES = 15;
const MAX_SLIDER_MINUTES = 60;
const MAX_REFRESH_MINUTES = 1440;

/** Everything the user typed; saved across the same-tab OAuth redirect (never the grant code). */
interface InstanceDraft {
  name: string;
  apiKey: string;
  apiSecret: string;
  maximizerUrl: string;
  maximizerAlias: string;
  signatureKey: string;
  eventsEnabled: boolean;
  callbackUrl: string;
  refreshMinutes: number;
  pollerText: string;
  tags: string[];
}

const EMPTY_DRAFT: InstanceDraft = {
  name: '',
  apiKey: '',
  apiSecret: '',
  maximizerUrl: '',
  maximizerAlias: '',
  signatureKey: '',
  eventsEnabled: true,
  callbackUrl: '',
  refreshMinutes: DEFAULT_REFRESH_MINUTES,
  pollerText: '{}',
  tags: [],
};

function restoreDraft(saved: unknown): InstanceDraft | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const merged: InstanceDraft = { ...EMPTY_DRAFT };
  for (const key of Object.keys(EMPTY_DRAFT) as (keyof InstanceDraft)[]) {
    const value: unknown = (saved as Record<string, unknown>)[key];
    if (typeof value === typeof EMPTY_DRAFT[key] && (key !== 'tags' || Array.isArray(value))) {
      (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

function oauthCallbackUrl(): string {
  return `${location.origin}${paths.oauthCallback()}`;
}

export function CreateInstancePage({ elementKey }: { readonly elementKey: string }) {
  const api = useApi();
  const element = useLoad(() => api.getElement(elementKey), [api, elementKey]);
  return (
    <section>
      <PageTitle>Create instance{element.data !== undefined ? ` of ${element.data.name}` : ''}</PageTitle>
      {element.error !== undefined && <Notice tone="error">{element.error.message}</Notice>}
      {element.loading && element.data === undefined && <Spinner label="Loading the element…" />}
      {element.data !== undefined && <CreateInstanceForm element={element.data} />}
    </section>
  );
}

function CreateInstanceForm({ element }: { readonly element: ElementDetail }) {
  const api = useApi();
  // A same-tab OAuth round trip comes back here with the draft and the result in sessionStorage.
  const [returned] = useState(() => {
    const pending = loadPending();
    const result = pending === undefined ? undefined : takeResult();
    return { pending, result, draft: result === undefined ? undefined : restoreDraft(takeDraft()) };
  });
  const [draft, setDraft] = useState<InstanceDraft>(
    () =>
      returned.draft ?? {
        ...EMPTY_DRAFT,
        refreshMinutes: element.defaultRefreshIntervalMinutes ?? DEFAULT_REFRESH_MINUTES,
      },
  );
  const [code, setCode] = useState<string | null>(null);
  const [connectProblem, setConnectProblem] = useState<string | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [submitProblem, setSubmitProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const pendingState = useRef<string | null>(null);
  const handledStates = useRef(new Set<string>());

  const update = <K extends keyof InstanceDraft>(key: K, value: InstanceDraft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  const parsed = useMemo(() => parseJsonObject(draft.pollerText), [draft.pollerText]);
  const [lastValidPoller, setLastValidPoller] = useState<PollerConfiguration>({});
  useEffect(() => {
    if (parsed.ok) setLastValidPoller(parsed.value);
  }, [parsed]);
  const pollerConfiguration = parsed.ok ? parsed.value : lastValidPoller;
  const selectedResources = Object.keys(pollerConfiguration);
  const defaults = useMemo(
    () =>
      Object.fromEntries(element.resources.map((resource) => [resource.name, resource.defaultPollerConfig])),
    [element],
  );
  const setPoller = (configuration: PollerConfiguration) =>
    update('pollerText', formatPollerConfiguration(configuration));

  const acceptResult = (result: OAuthResult) => {
    // The same answer can arrive twice (opener message and broadcast); the first one wins. An answer
    // without state cannot be ours.
    if (result.state === null || handledStates.current.has(result.state)) return;
    handledStates.current.add(result.state);
    const expected = pendingState.current ?? loadPending()?.state ?? null;
    pendingState.current = null;
    clearPending();
    setConnecting(false);
    if (result.error !== null) {
      setConnectProblem(`The provider refused access (${result.error}).`);
    } else if (result.code === null || result.code === '') {
      setConnectProblem('The provider did not return an authorization code.');
    } else if (expected === null || result.state !== expected) {
      setConnectProblem(
        'The authorization answer did not match this request (state mismatch). Connect again.',
      );
    } else {
      setConnectProblem(null);
      setCode(result.code);
      setIssues((current) => current.filter((issue) => targetOfPath(issue.path, []).kind !== 'code'));
    }
  };

  // Same-tab return: apply the result once.
  useEffect(() => {
    if (returned.result !== undefined && returned.pending !== undefined) {
      pendingState.current = returned.pending.state;
      acceptResult(returned.result);
    }
    // Once, on mount.
  }, []);

  // Popup flow: the callback page posts the result to this window and broadcasts it.
  useEffect(() => {
    const onMessage = (event: MessageEvent<unknown>) => {
      if (event.origin !== location.origin || !isOAuthMessage(event.data)) return;
      acceptResult(toOAuthResult(event.data as unknown as Record<string, unknown>));
    };
    const channel = new BroadcastChannel(OAUTH_CHANNEL);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isOAuthMessage(event.data))
        acceptResult(toOAuthResult(event.data as unknown as Record<string, unknown>));
    };
    window.addEventListener('message', onMessage);
    return () => {
      window.removeEventListener('message', onMessage);
      channel.close();
    };
    // Registered once: acceptResult reads refs and state setters only.
  }, []);

  const connect = async () => {
    if (draft.apiKey.trim() === '' || draft.apiSecret.trim() === '') {
      setConnectProblem('Enter the API key and API secret first.');
      return;
    }
    setConnectProblem(null);
    setConnecting(true);
    const state = newState();
    pendingState.current = state;
    const returnPath = paths.create(element.key);
    savePending({ state, returnPath, mode: 'popup' });
    try {
      const { oauthUrl } = await api.getOAuthUrl(
        element.key,
        {
          apiKey: draft.apiKey.trim(),
          apiSecret: draft.apiSecret.trim(),
          callbackUrl: oauthCallbackUrl(),
          state,
        },
        { 'maximizer.url': draft.maximizerUrl.trim(), 'maximizer.alias': draft.maximizerAlias.trim() },
      );
      const popup = window.open(oauthUrl, 'pollcast-oauth', 'popup,width=560,height=720');
      if (popup === null) {
        // Popup blocked: go there in this tab; the callback page brings the user back to this form.
        savePending({ state, returnPath, mode: 'same-tab' });
        saveDraft(draft);
        location.assign(oauthUrl);
      }
    } catch (error: unknown) {
      setConnecting(false);
      clearPending();
      setConnectProblem(error instanceof Error ? error.message : 'Could not get the authorization URL.');
    }
  };

  const clientIssues = (): FieldIssue[] => {
    const found: FieldIssue[] = [];
    if (draft.name.trim() === '') found.push({ path: 'name', message: 'Give the instance a name.' });
    if (code === null) found.push({ path: 'providerData.code', message: 'Connect to the provider first.' });
    if (draft.eventsEnabled && draft.callbackUrl.trim() === '') {
      found.push({
        path: 'configuration.event.notification.callback.url',
        message: 'Events need a callback URL.',
      });
    }
    if (!parsed.ok) {
      found.push({
        path: 'configuration.event.poller.configuration',
        message: `The poller configuration is not valid JSON (line ${parsed.problem.line}).`,
      });
    }
    return found;
  };

  const body = (grantCode: string): CreateInstanceBody => {
    const configuration: Record<string, unknown> = {
      'oauth.api.key': draft.apiKey.trim(),
      'oauth.api.secret': draft.apiSecret.trim(),
      'oauth.callback.url': oauthCallbackUrl(),
      'event.notification.enabled': draft.eventsEnabled,
      'event.poller.refresh_interval': String(draft.refreshMinutes),
      'event.poller.configuration': pollerConfiguration,
    };
    if (draft.maximizerUrl.trim() !== '') configuration['maximizer.url'] = draft.maximizerUrl.trim();
    if (draft.maximizerAlias.trim() !== '') configuration['maximizer.alias'] = draft.maximizerAlias.trim();
    if (draft.callbackUrl.trim() !== '')
      configuration['event.notification.callback.url'] = draft.callbackUrl.trim();
    if (draft.signatureKey !== '') configuration['event.notification.signature.key'] = draft.signatureKey;
    return {
      element: { key: element.key },
      providerData: { code: grantCode },
      configuration,
      tags: draft.tags,
      name: draft.name.trim(),
    };
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitProblem(null);
    const found = clientIssues();
    if (found.length > 0 || code === null) {
      setIssues(found);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setSubmitting(true);
    setIssues([]);
    try {
      const instance = await api.createInstance(body(code));
      setFlash(`Instance “${instance.name}” created.`);
      navigate(paths.instance(instance.id));
    } catch (error: unknown) {
      setSubmitting(false);
      if (error instanceof ApiError) {
        setSubmitProblem(
          error.requestId === undefined ? error.message : `${error.message} (request ${error.requestId})`,
        );
        setIssues([...error.issues]);
        // A grant code is single-use: after a refused create, the user must connect again.
        if (error.issues.some((issue) => targetOfPath(issue.path, []).kind === 'code')) setCode(null);
      } else {
        setSubmitProblem(error instanceof Error ? error.message : 'Creating the instance failed.');
      }
      requestAnimationFrame(() => summaryRef.current?.focus());
    }
  };

  const targets = issues.map((issue) => ({ issue, target: targetOfPath(issue.path, selectedResources) }));
  const errorsFor = (match: (target: FieldTarget) => boolean) =>
    targets.filter(({ target }) => match(target)).map(({ issue }) => issue.message);
  const configErrors = (key: string) => errorsFor((target) => target.kind === 'config' && target.key === key);
  const resourceIssues = (resource: string): ResourceIssue[] =>
    targets.flatMap(({ issue, target }) =>
      target.kind === 'resource' && target.resource === resource
        ? [{ field: target.field, message: issue.message }]
        : [],
    );
  const formErrors = errorsFor((target) => target.kind === 'form');
  const hasProblems = issues.length > 0 || submitProblem !== null;

  return (
    <form
      className="create-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-describedby="create-form-errors"
    >
      <div
        id="create-form-errors"
        ref={summaryRef}
        tabIndex={-1}
        className={hasProblems ? 'error-summary' : 'visually-hidden'}
        role={hasProblems ? 'alert' : undefined}
      >
        {hasProblems && (
          <>
            <h2>The instance was not created</h2>
            {submitProblem !== null && <p>{submitProblem}</p>}
            <ul>
              {targets.map(({ issue, target }, index) => (
                <li key={index}>
                  <a
                    href={`#${fieldIdOf(target)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      document.getElementById(fieldIdOf(target))?.focus();
                    }}
                  >
                    {issue.path === '' ? '' : `${issue.path}: `}
                    {issue.message}
                  </a>
                </li>
              ))}
            </ul>
            {formErrors.length > 0 && <p className="visually-hidden">{formErrors.join(' ')}</p>}
          </>
        )}
      </div>

      <div className="card form-section">
        <h2>Instance</h2>
        <TextField
          id="instance-name"
          label="Name"
          value={draft.name}
          onChange={(value) => update('name', value)}
          errors={errorsFor((target) => target.kind === 'name')}
          required
        />
        <TagsInput
          id="instance-tags"
          tags={draft.tags}
          onChange={(tags) => update('tags', tags)}
          errors={errorsFor((target) => target.kind === 'tags')}
        />
      </div>

      <div className="card form-section">
        <h2>Authentication</h2>
        <div className="grid-2">
          <TextField
            id="config-oauth-api-key"
            label={
              <>
                API key <code>oauth.api.key</code>
              </>
            }
            autoComplete="off"
            value={draft.apiKey}
            onChange={(value) => update('apiKey', value)}
            errors={configErrors('oauth.api.key')}
          />
          <TextField
            id="config-oauth-api-secret"
            label={
              <>
                API secret <code>oauth.api.secret</code>
              </>
            }
            type="password"
            autoComplete="off"
            value={draft.apiSecret}
            onChange={(value) => update('apiSecret', value)}
            errors={configErrors('oauth.api.secret')}
          />
        </div>
        <details className="advanced">
          <summary>Advanced</summary>
          <div className="grid-2">
            <TextField
              id="config-maximizer-url"
              label={
                <>
                  Server URL <code>maximizer.url</code>
                </>
              }
              type="url"
              placeholder="https://caw.maximizercrmlive.com"
              value={draft.maximizerUrl}
              onChange={(value) => update('maximizerUrl', value)}
              errors={configErrors('maximizer.url')}
              hint="For on-premise servers and the simulator; empty = Maximizer CRM Live."
            />
            <TextField
              id="config-maximizer-alias"
              label={
                <>
                  Database alias <code>maximizer.alias</code>
                </>
              }
              value={draft.maximizerAlias}
              onChange={(value) => update('maximizerAlias', value)}
              errors={configErrors('maximizer.alias')}
            />
          </div>
          <p className="hint">
            OAuth callback URL <code>oauth.callback.url</code>: <code>{oauthCallbackUrl()}</code>. Register it
            with the provider.
          </p>
        </details>
        <div className="connect-row">
          <button
            type="button"
            id="oauth-connect"
            className="button button-primary"
            onClick={() => void connect()}
            disabled={connecting}
            aria-describedby="oauth-connect-status"
          >
            <LinkIcon />
            {code === null ? (connecting ? 'Waiting for the provider…' : 'Connect') : 'Connect again'}
          </button>
          <span id="oauth-connect-status" role="status" className={code === null ? 'muted' : 'connected'}>
            {code === null ? (
              'Not connected'
            ) : (
              <>
                <CheckIcon /> Connected: authorization code received
              </>
            )}
          </span>
        </div>
        {connectProblem !== null && <Notice tone="error">{connectProblem}</Notice>}
        {errorsFor((target) => target.kind === 'code').map((message) => (
          <p key={message} className="field-error">
            {message}
          </p>
        ))}
      </div>

      <div className="card form-section">
        <h2>Events</h2>
        <Switch
          id="config-event-notification-enabled"
          label="Events Enabled"
          checked={draft.eventsEnabled}
          onChange={(checked) => update('eventsEnabled', checked)}
          errors={configErrors('event.notification.enabled')}
        />
        <div className="grid-2">
          <TextField
            id="config-event-notification-callback-url"
            label="Event notification callback URL"
            type="url"
            placeholder="https://example.com/pollcast-events"
            value={draft.callbackUrl}
            onChange={(value) => update('callbackUrl', value)}
            errors={configErrors('event.notification.callback.url')}
          />
          <TextField
            id="config-event-notification-signature-key"
            label="Signature key (optional)"
            type="password"
            autoComplete="off"
            value={draft.signatureKey}
            onChange={(value) => update('signatureKey', value)}
            errors={configErrors('event.notification.signature.key')}
            hint="When set, callbacks carry an HMAC-SHA256 signature header."
          />
        </div>
        <RefreshInterval
          minutes={draft.refreshMinutes}
          onChange={(minutes) => update('refreshMinutes', minutes)}
          errors={configErrors('event.poller.refresh_interval')}
        />
        <ResourcePicker
          resources={element.resources}
          selected={selectedResources}
          disabled={!parsed.ok}
          onChange={(selected) => setPoller(withResources(pollerConfiguration, selected, defaults))}
        />
        {selectedResources.length === 0 && (
          <p className="hint">
            No resource selected: the platform polls all of the element’s default resources.
          </p>
        )}
        <fieldset className="resource-editors" disabled={!parsed.ok}>
          <legend className="visually-hidden">Resource settings</legend>
          {selectedResources.map((resource) => (
            <ResourceEditor
              key={resource}
              resource={resource}
              configuration={pollerConfiguration}
              onChange={setPoller}
              issues={resourceIssues(resource)}
            />
          ))}
        </fieldset>
        <PollerCodeView
          id="config-event-poller-configuration"
          value={draft.pollerText}
          onChange={(value) => update('pollerText', value)}
          problem={parsed.ok ? undefined : parsed.problem}
          serverErrors={configErrors('event.poller.configuration')}
        />
      </div>

      <div className="form-actions">
        <button type="submit" className="button button-primary button-large" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create Instance'}
        </button>
      </div>
    </form>
  );
}

function RefreshInterval({
  minutes,
  onChange,
  errors,
}: {
  readonly minutes: number;
  readonly onChange: (minutes: number) => void;
  readonly errors: readonly string[];
}) {
  const clamp = (value: number) => Math.min(MAX_REFRESH_MINUTES, Math.max(1, Math.round(value)));
  return (
    <fieldset className="field refresh-interval">
      <legend>Event poller refresh interval (minutes)</legend>
      <div className="refresh-controls">
        <input
          type="range"
          id="refresh-interval-slider"
          aria-label="Refresh interval slider (minutes)"
          min={1}
          max={MAX_SLIDER_MINUTES}
          value={Math.min(minutes, MAX_SLIDER_MINUTES)}
          onChange={(event) => onChange(clamp(Number(event.target.value)))}
        />
        <input
          type="number"
          id="config-event-poller-refresh_interval"
          aria-label="Refresh interval in minutes"
          min={1}
          max={MAX_REFRESH_MINUTES}
          value={minutes}
          onChange={(event) => {
            const value = Number(event.target.value);
            if (Number.isFinite(value) && event.target.value !== '') onChange(clamp(value));
          }}
          aria-invalid={errors.length > 0 ? true : undefined}
          aria-describedby={errors.length > 0 ? 'refresh-interval-error' : undefined}
        />
      </div>
      {errors.length > 0 && (
        <div className="field-error" id="refresh-interval-error">
          {errors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
