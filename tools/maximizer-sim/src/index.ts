export { createMaximizerSimulator } from './server';
export type { MaximizerSimulator, MaximizerSimulatorOptions } from './server';
export { SimClock } from './clock';
export type { ClockState } from './clock';
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
export { FaultInjector, FAULT_KINDS } from './faults';
export type { Fault, FaultKind, FaultSpec } from './faults';
export { OAuthServer } from './oauth';
export type { TokenResponse } from './oauth';
export { RequestLog } from './request-log';
export { prng } from './seed';
export type { LoggedRequest, RequestQuery } from './request-log';
export { OctopusError, RecordNotFoundError } from './query';
export { ENTITY_NAMES, AB_ENTRY_TYPES } from './entities';
export type { EntityName, AbEntryType, FieldValue } from './entities';
export type { SeedOptions, SeedResult, SeedMix, SeedKind } from './seed';
export { SimulatorClient } from './sim-client';
export type { HttpResult } from './sim-client';
