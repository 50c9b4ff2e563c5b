// What the simulator is made of; the provider endpoints and the control API each get these parts.
import type { OAuthServer, RequestLog, SimClock } from '@pollcast/tool-process';
import type { DateRenderer } from './dates';
import type { FaultInjector } from './faults';
import type { RecordStore } from './store';

export interface SimulatorParts {
  readonly clock: SimClock;
  readonly dates: DateRenderer;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
}
