// "Connect" on the create form: gets the provider's authorization URL, opens it in a popup (or, when the
// popup is blocked, in this tab with the draft saved), and takes the grant code from whichever way the
// answer comes back: the opener message, the broadcast, or sessionStorage after a same-tab round trip.
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { ElementDetail, FieldIssue } from '../../api/types';
import { useApi } from '../../api-context';
import { targetOfPath } from '../../lib/error-paths';
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
  type PendingAuthorization,
} from '../../lib/oauth';
import { paths } from '../../lib/router';
import { oauthCallbackUrl, restoreDraft, type InstanceDraft } from './instance-draft';

/** What a same-tab OAuth round trip left in sessionStorage for the restored form (read once). */
export interface SameTabReturn {
  readonly pending: PendingAuthorization | undefined;
  readonly result: OAuthResult | undefined;
  readonly draft: InstanceDraft | undefined;
}

export function takeSameTabReturn(): SameTabReturn {
  const pending = loadPending();
  const result = pending === undefined ? undefined : takeResult();
  return { pending, result, draft: result === undefined ? undefined : restoreDraft(takeDraft()) };
}

export interface OAuthConnection {
  /** The grant code once the provider answered; null before, and after a refused create (single use). */
  readonly code: string | null;
  readonly setCode: Dispatch<SetStateAction<string | null>>;
  readonly connecting: boolean;
  readonly problem: string | null;
  readonly connect: () => Promise<void>;
}

export function useOAuthConnect({
  element,
  draft,
  returned,
  setIssues,
}: {
  readonly element: ElementDetail;
  readonly draft: InstanceDraft;
  readonly returned: SameTabReturn;
  readonly setIssues: Dispatch<SetStateAction<FieldIssue[]>>;
}): OAuthConnection {
  const api = useApi();
  const [code, setCode] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [connecting, setConnecting] = useState(false);
  const pendingState = useRef<string | null>(null);
  const handledStates = useRef(new Set<string>());

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
      setProblem(`The provider refused access (${result.error}).`);
    } else if (result.code === null || result.code === '') {
      setProblem('The provider did not return an authorization code.');
    } else if (expected === null || result.state !== expected) {
      setProblem('The authorization answer did not match this request (state mismatch). Connect again.');
    } else {
      setProblem(null);
      setCode(result.code);
      setIssues((current) => current.filter((issue) => targetOfPath(issue.path, []).kind !== 'code'));
    }
  };

  // Same-tab return: apply the result once.
  useEffect(() => {
    if (returned.result !== undefined && returned.pending !== undefined) {
      pendingState.current = returned.pending.state;
      // The answer was read from sessionStorage (outside React) before the first render; applying it
      // sets the code or the problem.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      acceptResult(returned.result);
    }
    // Once, on mount: `returned` never changes, and acceptResult reads refs and state setters only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
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
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const connect = async () => {
    if (draft.apiKey.trim() === '' || draft.apiSecret.trim() === '') {
      setProblem('Enter the API key and API secret first.');
      return;
    }
    setProblem(null);
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
        element.key === 'maximizer'
          ? { 'maximizer.url': draft.maximizerUrl.trim(), 'maximizer.alias': draft.maximizerAlias.trim() }
          : // A definition's keys may decide the authorize URL (salesforce.loginUrl).
            Object.fromEntries(
              Object.entries(draft.elementConfig).map(([key, value]) => [key, value.trim()]),
            ),
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
      setProblem(error instanceof Error ? error.message : 'Could not get the authorization URL.');
    }
  };

  return { code, setCode, connecting, problem, connect };
}
