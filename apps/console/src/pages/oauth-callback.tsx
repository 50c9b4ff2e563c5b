// The provider redirects here with ?code=&state= (or ?error=). The page hands the result to the window
// that started the flow and never shows or keeps the code in the address bar.
import { useEffect, useState } from 'react';
import { CheckIcon } from '../components/icons';
import { loadPending, OAUTH_MESSAGE_TYPE, saveResult, type OAuthMessage } from '../lib/oauth';
import { navigate } from '../lib/router';

export function OAuthCallbackPage() {
  const [outcome, setOutcome] = useState<'working' | 'handed-back' | 'no-opener'>('working');

  useEffect(() => {
    const query = new URLSearchParams(location.search);
    const result = { code: query.get('code'), state: query.get('state'), error: query.get('error') };
    // The grant code must not linger in history or be copied along with the address.
    history.replaceState(null, '', location.pathname);

    const opener = window.opener as Window | null;
    if (opener !== null && !opener.closed) {
      const message: OAuthMessage = { type: OAUTH_MESSAGE_TYPE, ...result };
      opener.postMessage(message, location.origin);
      setOutcome('handed-back');
      window.close();
      return;
    }
    const pending = loadPending();
    if (pending !== undefined) {
      saveResult(result);
      navigate(pending.returnPath, { replace: true });
      return;
    }
    setOutcome('no-opener');
  }, []);

  return (
    <main className="app-main callback" id="main">
      <h1 className="page-title">Connecting…</h1>
      {outcome === 'handed-back' && (
        <p role="status">
          <CheckIcon /> Authorization received. You can close this window.
        </p>
      )}
      {outcome === 'no-opener' && (
        <p role="alert">
          This authorization was not started from this console tab. Start again with <strong>Connect</strong>{' '}
          on the create instance page.
        </p>
      )}
    </main>
  );
}
