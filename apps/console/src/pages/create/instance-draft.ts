// What the create form holds (the draft), how it survives the same-tab OAuth redirect, what the form
// checks before sending, and the POST /instances body it becomes.
import type { CreateInstanceBody } from '../../api/client';
import type { ElementDetail, FieldIssue } from '../../api/types';
import type { parseJsonObject } from '../../lib/json-location';
import type { PollerConfiguration } from '../../lib/poller-config';
import { paths } from '../../lib/router';

export const DEFAULT_REFRESH_MINUTES = 15;

/** Everything the user typed; saved across the same-tab OAuth redirect (never the grant code). */
export interface InstanceDraft {
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
  /** The element's own configuration keys (declarative elements), by key. */
  elementConfig: Record<string, string>;
}

export type UpdateDraft = <K extends keyof InstanceDraft>(key: K, value: InstanceDraft[K]) => void;

export const EMPTY_DRAFT: InstanceDraft = {
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
  elementConfig: {},
};

/** Only the OAuth authorization code grant needs "Connect" and a grant code. */
export function needsConnect(element: ElementDetail): boolean {
  return element.authenticationType === 'oauth2';
}

/** Whether the form asks for the OAuth client (key and secret). */
export function needsOAuthClient(element: ElementDetail): boolean {
  return (
    element.authenticationType === 'oauth2' || element.authenticationType === 'oauth2-client-credentials'
  );
}

/** Configuration keys the form shows as fields of their own (Maximizer's have hand-made ones). */
export function elementFields(element: ElementDetail): ElementDetail['configuration'] {
  if (element.key === 'maximizer') return [];
  return element.configuration.filter((entry) => !entry.key.startsWith('oauth.'));
}

export function restoreDraft(saved: unknown): InstanceDraft | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const merged: InstanceDraft = { ...EMPTY_DRAFT };
  for (const key of Object.keys(EMPTY_DRAFT) as (keyof InstanceDraft)[]) {
    const value: unknown = (saved as Record<string, unknown>)[key];
    const arrayOk = key === 'tags' ? Array.isArray(value) : !Array.isArray(value);
    if (typeof value === typeof EMPTY_DRAFT[key] && value !== null && arrayOk) {
      (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

export function oauthCallbackUrl(): string {
  return `${location.origin}${paths.oauthCallback()}`;
}

/** What the form itself can tell before sending (the server checks the rest and answers by path). */
export function clientIssues(
  element: ElementDetail,
  draft: InstanceDraft,
  code: string | null,
  parsed: ReturnType<typeof parseJsonObject>,
): FieldIssue[] {
  const found: FieldIssue[] = [];
  if (draft.name.trim() === '') found.push({ path: 'name', message: 'Give the instance a name.' });
  if (needsConnect(element) && code === null)
    found.push({ path: 'providerData.code', message: 'Connect to the provider first.' });
  for (const field of elementFields(element)) {
    if (
      field.required &&
      field.defaultValue === undefined &&
      (draft.elementConfig[field.key] ?? '').trim() === ''
    )
      found.push({ path: `configuration.${field.key}`, message: 'This field is required.' });
  }
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
}

export function instanceBody(
  element: ElementDetail,
  draft: InstanceDraft,
  pollerConfiguration: PollerConfiguration,
  grantCode: string | null,
): CreateInstanceBody {
  const configuration: Record<string, unknown> = {
    ...(needsOAuthClient(element)
      ? { 'oauth.api.key': draft.apiKey.trim(), 'oauth.api.secret': draft.apiSecret.trim() }
      : {}),
    ...(needsConnect(element) ? { 'oauth.callback.url': oauthCallbackUrl() } : {}),
    'event.notification.enabled': draft.eventsEnabled,
    'event.poller.refresh_interval': String(draft.refreshMinutes),
    'event.poller.configuration': pollerConfiguration,
  };
  if (draft.maximizerUrl.trim() !== '') configuration['maximizer.url'] = draft.maximizerUrl.trim();
  if (draft.maximizerAlias.trim() !== '') configuration['maximizer.alias'] = draft.maximizerAlias.trim();
  if (draft.callbackUrl.trim() !== '')
    configuration['event.notification.callback.url'] = draft.callbackUrl.trim();
  if (draft.signatureKey !== '') configuration['event.notification.signature.key'] = draft.signatureKey;
  for (const field of elementFields(element)) {
    const value = (draft.elementConfig[field.key] ?? '').trim();
    if (value !== '') configuration[field.key] = value;
  }
  return {
    element: { key: element.key },
    ...(grantCode === null ? {} : { providerData: { code: grantCode } }),
    configuration,
    tags: draft.tags,
    name: draft.name.trim(),
  };
}
