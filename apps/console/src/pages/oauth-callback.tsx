// The provider redirects here with ?code=&state= (or ?error=). The page hands the result to the window
// that started the flow and never shows or keeps the code in the address bar.
import { useEffect, useState } from 'react';
import { CheckIcon } from '../components/icons';
import { loadPending, OAUTH_CHANNEL, OAUTH_MESSAGE_TYPE, saveResult, type OAuthMessage } from '../lib/oauth';
import { navigate } from '../lib/router';

export function OAuthCallbackPage() {
  const [outcome, setOutcome] = useState<'working' | 'handed-back' | 'not-ours'>('working');

  useEffect(() => {
    const query = new URLSearchParams(location.search);
    const message: OAuthMessage = {
      type: OAUTH_MESSAGE_TYPE,
      code: query.get('code'),
      state: query.get('state'),
      error: query.get('error'),
    };
    // Runs once per answer: after the address is cleaned below, a second run (a remount) has nothing
    // to hand back and must not send an empty answer that would overwrite the real one.
    if (message.code === null && message.error === null) {
      // What the page shows depends on the address and the opener, both outside React.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setOutcome(window.opener === null ? 'not-ours' : 'handed-back');
      return;
    }
    // The grant code must not linger in history or be copied along with the address.
    history.replaceState(null, '', location.pathname);

    // sessionStorage is copied into a popup when it opens, so the popup sees the pending request too.
    const pending = loadPending();
    if (pending?.mode === 'same-tab') {
      saveResult(message);
      navigate(pending.returnPath, { replace: true });
      return;
    }
    const opener = window.opener as Window | null;
    if (opener !== null && !opener.closed) opener.postMessage(message, location.origin);
    const channel = new BroadcastChannel(OAUTH_CHANNEL);
    channel.postMessage(message);
    channel.close();
    if (opener === null && pending === undefined) {
      setOutcome('not-ours');
      return;
    }
    setOutcome('handed-back');
    window.close();
  }, []);

  return (
    <main className="app-main callback" id="main">
      <h1 className="page-title">Connecting…</h1>
      {outcome === 'handed-back' && (
        <p role="status">
          <CheckIcon /> Authorization received. You can close this window.
        </p>
      )}
      {outcome === 'not-ours' && (
        <p role="alert">
          This authorization was not started from this console. Start again with <strong>Connect</strong> on
          the create instance page.
        </p>
      )}
    </main>
  );
}
