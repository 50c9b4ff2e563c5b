export { TenantVerifier, AUTHORIZATION_HELP, type Tenant, type TenantAuthOptions } from './tenant-verifier';
export { TenantAuthGuard, TenantAuthModule, CurrentTenant } from './tenant-auth.module';
