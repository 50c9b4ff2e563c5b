export { createProviderSimulator } from './server';
export type { ProviderSimulator, ProviderSimulatorOptions } from './server';
export { RecordStore, RecordError, PROVIDERS } from './records';
export type {
  ChangeKind,
  ChangeLogEntry,
  ChangeQuery,
  Fields,
  FieldValue,
  ProviderName,
  SeedOptions,
  SeedResult,
  SimRecord,
} from './records';
export { FAULT_KINDS } from './faults';
export type { Fault, FaultKind, FaultSpec } from './faults';
export { Credentials, DEFAULT_CREDENTIALS, zendeskToken } from './credentials';
export type { CredentialDefaults, TokenProvider } from './credentials';
export { recordView } from './control-api';
export type { RecordView } from './control-api';
export { parseSoql, SoqlError } from './providers/soql';
export type { SoqlQuery } from './providers/soql';
export { salesforceDate } from './providers/salesforce';
export { modifiedProperty } from './providers/hubspot';
export { ProviderSimClient } from './sim-client';
export type { HttpResult } from './sim-client';
