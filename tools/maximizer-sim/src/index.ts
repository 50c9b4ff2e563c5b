export { createMaximizerSimulator } from './server';
export type { MaximizerSimulator, MaximizerSimulatorOptions } from './server';
export { SimClock } from '@pollcast/tool-process';
export type { ClockState } from '@pollcast/tool-process';
export { RecordStore } from './store';
export type {
  AbEntryInput,
  ChangeKind,
  ChangeLogEntry,
  ChangeQuery,
  EntityInput,
  OctopusReadRequest,
  OpportunityInput,
  QueryOperator,
  ReadResult,
  RenderedRecord,
  SearchQuery,
} from './store-types';
export { FAULT_KINDS } from './faults';
export type { Fault, FaultInjector, FaultKind, FaultSpec } from './faults';
export { OAuthServer, RequestLog } from '@pollcast/tool-process';
export type { LoggedRequest, RequestQuery, TokenResponse } from '@pollcast/tool-process';
export { prng } from './seed';
export { OctopusError, RecordNotFoundError } from './query';
export { ENTITY_NAMES, AB_ENTRY_TYPES } from './entities';
export type { EntityName, AbEntryType, FieldValue } from './entities';
export type { SeedOptions, SeedResult, SeedMix, SeedKind } from './seed';
export { SimulatorClient } from './sim-client';
export type { HttpResult } from './sim-client';
