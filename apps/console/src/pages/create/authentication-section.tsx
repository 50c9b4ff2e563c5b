// The "Authentication" card: API key and secret, the advanced server settings, and "Connect" — or,
// for elements described by a definition, the fields its configuration keys ask for (a token, an owner),
// with their descriptions and defaults, and "Connect" only when it authorizes with an OAuth grant code.
import type { ElementDetail } from '../../api/types';
import { TextField } from '../../components/field';
import { CheckIcon, LinkIcon } from '../../components/icons';
import { Notice } from '../../components/ui';
import {
  elementFields,
  needsConnect,
  needsOAuthClient,
  oauthCallbackUrl,
  type InstanceDraft,
  type UpdateDraft,
} from './instance-draft';
import type { OAuthConnection } from './use-oauth-connect';

export function AuthenticationSection(props: {
  readonly element: ElementDetail;
  readonly draft: InstanceDraft;
  readonly update: UpdateDraft;
  readonly configErrors: (key: string) => string[];
  readonly codeErrors: readonly string[];
  readonly oauth: OAuthConnection;
}) {
  return props.element.key === 'maximizer' ? (
    <MaximizerAuthentication {...props} />
  ) : (
    <DefinedAuthentication {...props} />
  );
}

/** The configuration keys of a declarative element, as fields; secrets as password fields. */
function DefinedAuthentication({
  element,
  draft,
  update,
  configErrors,
  codeErrors,
  oauth,
}: {
  readonly element: ElementDetail;
  readonly draft: InstanceDraft;
  readonly update: UpdateDraft;
  readonly configErrors: (key: string) => string[];
  readonly codeErrors: readonly string[];
  readonly oauth: OAuthConnection;
}) {
  const setField = (key: string, value: string) =>
    update('elementConfig', { ...draft.elementConfig, [key]: value });
  return (
    <div className="card form-section">
      <h2>Authentication</h2>
      <div className="grid-2">
        {needsOAuthClient(element) && (
          <>
            <TextField
              id="config-oauth-api-key"
              label={
                <>
                  Client ID <code>oauth.api.key</code>
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
                  Client secret <code>oauth.api.secret</code>
                </>
              }
              type="password"
              autoComplete="off"
              value={draft.apiSecret}
              onChange={(value) => update('apiSecret', value)}
              errors={configErrors('oauth.api.secret')}
            />
          </>
        )}
        {elementFields(element).map((field) => (
          <TextField
            key={field.key}
            id={`config-${field.key.replace(/[^A-Za-z0-9-]/g, '-')}`}
            label={
              <>
                {field.required ? '' : 'Optional: '}
                <code>{field.key}</code>
              </>
            }
            type={field.secret ? 'password' : 'text'}
            autoComplete="off"
            placeholder={field.defaultValue ?? ''}
            value={draft.elementConfig[field.key] ?? ''}
            onChange={(value) => setField(field.key, value)}
            errors={configErrors(field.key)}
            {...(field.description === undefined ? {} : { hint: field.description })}
          />
        ))}
      </div>
      {needsConnect(element) && <ConnectRow codeErrors={codeErrors} oauth={oauth} />}
    </div>
  );
}

function MaximizerAuthentication({
  draft,
  update,
  configErrors,
  codeErrors,
  oauth,
}: {
  readonly element: ElementDetail;
  readonly draft: InstanceDraft;
  readonly update: UpdateDraft;
  readonly configErrors: (key: string) => string[];
  readonly codeErrors: readonly string[];
  readonly oauth: OAuthConnection;
}) {
  return (
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
      <ConnectRow codeErrors={codeErrors} oauth={oauth} />
    </div>
  );
}

function ConnectRow({
  codeErrors,
  oauth,
}: {
  readonly codeErrors: readonly string[];
  readonly oauth: OAuthConnection;
}) {
  const { code, connecting } = oauth;
  return (
    <>
      <div className="connect-row">
        <button
          type="button"
          id="oauth-connect"
          className="button button-primary"
          onClick={() => void oauth.connect()}
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
      {oauth.problem !== null && <Notice tone="error">{oauth.problem}</Notice>}
      {codeErrors.map((message) => (
        <p key={message} className="field-error">
          {message}
        </p>
      ))}
    </>
  );
}
