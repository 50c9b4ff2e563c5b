export type { Principal } from '@pollcast/contracts';
export { TenantVerifier, AUTHORIZATION_HELP, type TenantAuthOptions } from './tenant-verifier';
export { TenantAuthGuard, TenantAuthModule, CurrentPrincipal } from './tenant-auth.module';
