// The soak's hands: what its faults need from the running soak, and how each fault of the schedule is
// done to the platform (kill -9, SIGSTOP/SIGCONT, broker and database restarts, Toxiproxy toxics).
import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';
import type { SupervisedProcess } from '@pollcast/dev';
import type { RunningPlatform } from '../support/platform';
import { killAndRestart, liveReplicas, sleep, type ServiceName } from './fault-kit';
import { PAUSE_MS, TOXIC_ATTRIBUTES, type Fault, type Target } from './soak-schedule';

export interface SoakParts {
  proxies: Record<Target, Proxy>;
  toxiproxy: Toxiproxy;
  faults: Fault[];
  restartBroker(): Promise<void>;
  restartPostgres(): Promise<void>;
  runDir: string;
  callbackBase: string;
}

/** Does one fault of the schedule, and returns when it is over (a toxic removed, a process resumed). */
export async function inject(
  platform: RunningPlatform,
  parts: SoakParts,
  fault: Fault,
  log: (line: string) => void,
): Promise<void> {
  const pickReplica = (service: ServiceName, index: number): SupervisedProcess | undefined => {
    const live = liveReplicas(platform, service);
    return live[index % Math.max(1, live.length)];
  };
  switch (fault.kind) {
    case 'kill-9': {
      const victim = pickReplica(fault.service, fault.replica);
      if (victim) await killAndRestart(platform, fault.service, [victim], log);
      return;
    }
    case 'pause': {
      const victim = pickReplica(fault.service, fault.replica);
      if (!victim) return;
      victim.kill('SIGSTOP');
      await sleep(PAUSE_MS[fault.service]);
      victim.kill('SIGCONT');
      return;
    }
    case 'broker-restart':
      return parts.restartBroker();
    case 'postgres-restart':
      return parts.restartPostgres();
    case 'net': {
      const toxic = await parts.proxies[fault.target].addToxic({
        name: `soak-${fault.toxic}`,
        type: fault.toxic,
        stream: 'downstream',
        toxicity: 1,
        attributes: TOXIC_ATTRIBUTES[fault.toxic],
      });
      await sleep(fault.seconds * 1000);
      await toxic.remove();
      return;
    }
  }
}
