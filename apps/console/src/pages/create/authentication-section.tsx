// The "Authentication" card: API key and secret, the advanced server settings, and "Connect".
import { TextField } from '../../components/field';
import { CheckIcon, LinkIcon } from '../../components/icons';
import { Notice } from '../../components/ui';
import { oauthCallbackUrl, type InstanceDraft, type UpdateDraft } from './instance-draft';
import type { OAuthConnection } from './use-oauth-connect';

export function AuthenticationSection({
  draft,
  update,
  configErrors,
  codeErrors,
  oauth,
}: {
  readonly draft: InstanceDraft;
  readonly update: UpdateDraft;
  readonly configErrors: (key: string) => string[];
  readonly codeErrors: readonly string[];
  readonly oauth: OAuthConnection;
}) {
  const { code, connecting } = oauth;
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
    </div>
  );
}
