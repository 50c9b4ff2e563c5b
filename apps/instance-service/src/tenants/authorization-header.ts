import { AUTHORIZATION_TOO_LONG, MAX_AUTHORIZATION_LENGTH } from '@pollcast/service-kit';

/** What an `Authorization` header names: a user plus either an organization or an instance token. */
export type TenantCredentials =
  | { kind: 'organization'; userSecret: string; organizationSecret: string }
  | { kind: 'element'; userSecret: string; elementToken: string };

export type ParsedAuthorization =
  { ok: true; credentials: TenantCredentials } | { ok: false; message: string };

export const AUTHORIZATION_FORMS =
  "'User <user secret>, Organization <organization secret>' or 'User <user secret>, Element <instance token>'";

const SCHEMES = new Map([
  ['user', 'user'],
  ['organization', 'organization'],
  ['element', 'element'],
] as const);

/**
 * Parses Open Connectors' `Authorization: User <secret>, Organization <secret>` (or `Element <token>`).
 * Scheme names are case-insensitive and the parts may come in any order; blanks around them are
 * ignored. Messages never repeat a secret.
 */
export function parseAuthorizationHeader(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '') {
    return { ok: false, message: `Missing Authorization header; expected ${AUTHORIZATION_FORMS}` };
  }
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { ok: false, message: AUTHORIZATION_TOO_LONG };
  const values = new Map<'user' | 'organization' | 'element', string>();
  for (const part of header.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const match = /^([A-Za-z]+)(?:\s+(\S+))?\s*$/.exec(trimmed);
    const scheme = match?.[1] === undefined ? undefined : SCHEMES.get(match[1].toLowerCase() as 'user');
    if (match === null || scheme === undefined) {
      return { ok: false, message: `Malformed Authorization header; expected ${AUTHORIZATION_FORMS}` };
    }
    const value = match[2];
    if (value === undefined) {
      return {
        ok: false,
        message: `Authorization header: '${match[1]}' has no value; expected ${AUTHORIZATION_FORMS}`,
      };
    }
    if (values.has(scheme)) return { ok: false, message: `Authorization header names '${match[1]}' twice` };
    values.set(scheme, value);
  }
  const userSecret = values.get('user');
  const organizationSecret = values.get('organization');
  const elementToken = values.get('element');
  if (userSecret === undefined) {
    return { ok: false, message: `Authorization header has no User secret; expected ${AUTHORIZATION_FORMS}` };
  }
  if (organizationSecret !== undefined && elementToken !== undefined) {
    return {
      ok: false,
      message: `Authorization header names both Organization and Element; expected ${AUTHORIZATION_FORMS}`,
    };
  }
  if (organizationSecret !== undefined)
    return { ok: true, credentials: { kind: 'organization', userSecret, organizationSecret } };
  if (elementToken !== undefined)
    return { ok: true, credentials: { kind: 'element', userSecret, elementToken } };
  return {
    ok: false,
    message: `Authorization header has no Organization secret or Element token; expected ${AUTHORIZATION_FORMS}`,
  };
}
