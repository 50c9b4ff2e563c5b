// What the simulator is made of; the provider endpoints and the control API each get these parts.
import type { OAuthServer, RequestLog, SimClock } from '@pollcast/tool-process';
import type { Credentials } from './credentials';
import type { FaultInjector } from './faults';
import type { RecordStore } from './records';

export interface SimulatorParts {
  readonly clock: SimClock;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly credentials: Credentials;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
}
