// Create instance, the way Open Connectors' UI does it: name, OAuth "Connect", events switch,
// callback URL, refresh interval, resources to poll (form and code view), tags → POST /instances.
// Server validation errors come back by path and are shown beside their fields. The parts live in
// ./create: the draft and the request body, the OAuth hook, and the form's larger sections.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { ElementDetail, FieldIssue } from '../api/types';
import { useApi } from '../api-context';
import { Switch, TextField } from '../components/field';
import { Notice, PageTitle, Spinner } from '../components/ui';
import { targetOfPath, type FieldTarget } from '../lib/error-paths';
import { parseJsonObject } from '../lib/json-location';
import { formatPollerConfiguration, withResources, type PollerConfiguration } from '../lib/poller-config';
import { navigate, paths } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { setFlash } from '../lib/flash';
import { AuthenticationSection } from './create/authentication-section';
import { PollerCodeView } from './create/code-view';
import { ErrorSummary } from './create/error-summary';
import {
  clientIssues,
  DEFAULT_REFRESH_MINUTES,
  EMPTY_DRAFT,
  instanceBody,
  needsConnect,
  type InstanceDraft,
  type UpdateDraft,
} from './create/instance-draft';
import { RefreshInterval } from './create/refresh-interval';
import { ResourceEditor, type ResourceIssue } from './create/resource-editor';
import { ResourcePicker } from './create/resource-picker';
import { TagsInput } from './create/tags-input';
import { takeSameTabReturn, useOAuthConnect } from './create/use-oauth-connect';

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
  const [returned] = useState(takeSameTabReturn);
  const [draft, setDraft] = useState<InstanceDraft>(
    () =>
      returned.draft ?? {
        ...EMPTY_DRAFT,
        refreshMinutes: element.defaultRefreshIntervalMinutes ?? DEFAULT_REFRESH_MINUTES,
      },
  );
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [submitProblem, setSubmitProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const oauth = useOAuthConnect({ element, draft, returned, setIssues });
  const { code, setCode } = oauth;

  const update: UpdateDraft = (key, value) => setDraft((current) => ({ ...current, [key]: value }));

  const parsed = useMemo(() => parseJsonObject(draft.pollerText), [draft.pollerText]);
  const [lastValidPoller, setLastValidPoller] = useState<PollerConfiguration>({});
  useEffect(() => {
    // Keeps what the resource editors show while the code view holds JSON that does not parse.
    // eslint-disable-next-line react-hooks/set-state-in-effect
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

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitProblem(null);
    const found = clientIssues(element, draft, code, parsed);
    if (found.length > 0 || (needsConnect(element) && code === null)) {
      setIssues(found);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setSubmitting(true);
    setIssues([]);
    try {
      const instance = await api.createInstance(instanceBody(element, draft, pollerConfiguration, code));
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

  return (
    <form
      className="create-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-describedby="create-form-errors"
    >
      <ErrorSummary
        ref={summaryRef}
        targets={targets}
        submitProblem={submitProblem}
        formErrors={errorsFor((target) => target.kind === 'form')}
      />

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

      <AuthenticationSection
        element={element}
        draft={draft}
        update={update}
        configErrors={configErrors}
        codeErrors={errorsFor((target) => target.kind === 'code')}
        oauth={oauth}
      />

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
