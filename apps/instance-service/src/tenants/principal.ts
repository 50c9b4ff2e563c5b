import { DomainError, ErrorCode } from '@pollcast/service-kit';

/** The authenticated tenant, as every service names it (answered by POST /internal/auth/verify). */
export type { Principal } from '@pollcast/contracts';

export class AuthenticationError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.UNAUTHENTICATED, message, 401, { 'WWW-Authenticate': 'User, Organization' });
  }
}

export const INVALID_CREDENTIALS =
  'Invalid credentials: the User secret, Organization secret or Element token is wrong, or they do not belong together';
