// The OAuth hand-back between the /oauth/callback page and the create form. Preferred: the form opens
// the provider in a popup and the callback page posts { code, state } to its opener, and also on a
// BroadcastChannel, because a Cross-Origin-Opener-Policy header on the way back can sever `opener`.
// If the popup is blocked, the form saves its draft, the tab itself goes to the provider, and the
// callback page leaves the result in sessionStorage for the restored form.

export const OAUTH_MESSAGE_TYPE = 'pollcast:oauth-result';
export const OAUTH_CHANNEL = 'pollcast-oauth';

export interface OAuthResult {
  readonly code: string | null;
  readonly state: string | null;
  readonly error: string | null;
}

export interface OAuthMessage extends OAuthResult {
  readonly type: typeof OAUTH_MESSAGE_TYPE;
}

export interface PendingAuthorization {
  readonly state: string;
  /** Where the same-tab flow returns to. */
  readonly returnPath: string;
  readonly mode: 'popup' | 'same-tab';
}

const PENDING_KEY = 'pollcast.oauth.pending';
const RESULT_KEY = 'pollcast.oauth.result';
const DRAFT_KEY = 'pollcast.oauth.draft';

function readJson(key: string): unknown {
  const stored = sessionStorage.getItem(key);
  if (stored === null) return undefined;
  try {
    return JSON.parse(stored);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function isOAuthMessage(data: unknown): data is OAuthMessage {
  return isRecord(data) && data['type'] === OAUTH_MESSAGE_TYPE;
}

export function toOAuthResult(data: Record<string, unknown>): OAuthResult {
  return {
    code: nullableString(data['code']),
    state: nullableString(data['state']),
    error: nullableString(data['error']),
  };
}

export function savePending(pending: PendingAuthorization): void {
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
}

export function loadPending(): PendingAuthorization | undefined {
  const stored = readJson(PENDING_KEY);
  if (!isRecord(stored) || typeof stored['state'] !== 'string' || typeof stored['returnPath'] !== 'string') {
    return undefined;
  }
  return {
    state: stored['state'],
    returnPath: stored['returnPath'],
    mode: stored['mode'] === 'same-tab' ? 'same-tab' : 'popup',
  };
}

export function clearPending(): void {
  sessionStorage.removeItem(PENDING_KEY);
}

export function saveResult(result: OAuthResult): void {
  sessionStorage.setItem(RESULT_KEY, JSON.stringify(result));
}

/** Reads and forgets a same-tab result. */
export function takeResult(): OAuthResult | undefined {
  const stored = readJson(RESULT_KEY);
  sessionStorage.removeItem(RESULT_KEY);
  return isRecord(stored) ? toOAuthResult(stored) : undefined;
}

export function saveDraft(draft: unknown): void {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

/** Reads and forgets the saved form (it holds the API secret: keep it no longer than needed). */
export function takeDraft(): unknown {
  const draft = readJson(DRAFT_KEY);
  sessionStorage.removeItem(DRAFT_KEY);
  return draft;
}

export function newState(): string {
  return crypto.randomUUID();
}
