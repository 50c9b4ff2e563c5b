import { DomainError } from '@pollcast/service-kit';

/** Who is calling: always a user of an organization; `instanceId` set when an Element token was used
 * (that caller may only touch that instance). */
export interface Principal {
  organizationId: string;
  userId: string;
  instanceId: string | null;
}

export class AuthenticationError extends DomainError {
  constructor(message: string) {
    super('unauthenticated', message, 401, { 'WWW-Authenticate': 'User, Organization' });
  }
}

export const INVALID_CREDENTIALS =
  'Invalid credentials: the User secret, Organization secret or Element token is wrong, or they do not belong together';
