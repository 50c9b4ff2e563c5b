// Where the API groups live, read once at start from /console-config.json (served by
// instance-service). Missing or unreadable → everything on the console's own origin.
import { isObject } from './normalize';
import type { ConsoleConfig } from './types';

export const SAME_ORIGIN_CONFIG: ConsoleConfig = { apiBase: '', pollerApiBase: '', dispatcherApiBase: '' };

function base(value: unknown): string {
  // Trailing slashes would double up with the API paths.
  return typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
}

export function parseConsoleConfig(body: unknown): ConsoleConfig {
  if (!isObject(body)) return SAME_ORIGIN_CONFIG;
  const apiBase = base(body['apiBase']);
  return {
    apiBase,
    // An unset group follows the main API, so a single-origin deployment needs only `apiBase`.
    pollerApiBase: body['pollerApiBase'] === undefined ? apiBase : base(body['pollerApiBase']),
    dispatcherApiBase: body['dispatcherApiBase'] === undefined ? apiBase : base(body['dispatcherApiBase']),
  };
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch('/console-config.json', { cache: 'no-store' });
    if (!response.ok) return SAME_ORIGIN_CONFIG;
    return parseConsoleConfig(await response.json());
  } catch {
    return SAME_ORIGIN_CONFIG;
  }
}
