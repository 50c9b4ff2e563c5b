// Tenant secrets live in sessionStorage only: gone when the tab closes, never put in a URL, never logged.
import type { Credentials } from './types';

const CREDENTIALS_KEY = 'pollcast.credentials';

export function loadCredentials(): Credentials | null {
  const stored = sessionStorage.getItem(CREDENTIALS_KEY);
  if (stored === null) return null;
  try {
    const parsed: unknown = JSON.parse(stored);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'userSecret' in parsed &&
      'organizationSecret' in parsed &&
      typeof parsed.userSecret === 'string' &&
      typeof parsed.organizationSecret === 'string'
    ) {
      return { userSecret: parsed.userSecret, organizationSecret: parsed.organizationSecret };
    }
  } catch {
    // A corrupt entry is the same as none.
  }
  sessionStorage.removeItem(CREDENTIALS_KEY);
  return null;
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify(credentials));
}

export function clearCredentials(): void {
  sessionStorage.removeItem(CREDENTIALS_KEY);
}

export function authorizationHeader(credentials: Credentials): string {
  return `User ${credentials.userSecret}, Organization ${credentials.organizationSecret}`;
}
