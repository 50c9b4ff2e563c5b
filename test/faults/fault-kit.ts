// What the fault tests and the soak (soak.ts) share: killing and restarting replicas, the end check of
// every change with its one summary line, and a TCP proxy in front of the broker.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { SupervisedProcess } from '@pollcast/dev';
import type { DeliveredEvent } from '../support/e2e-helpers';
import type { RunningPlatform } from '../support/platform';

export type ServiceName = 'poller-service' | 'normalizer' | 'dispatcher' | 'instance-service';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function isLive(process: SupervisedProcess): boolean {
  return process.child.exitCode === null && process.child.signalCode === null;
}

export function liveReplicas(platform: RunningPlatform, name: ServiceName): SupervisedProcess[] {
  return platform.processes.filter((p) => p.spec.name === name && isLive(p));
}

/** Kills the given replicas of a service (-9), waits until they are gone, then starts `restart` again
 * (as many as were killed unless told). */
export async function killAndRestart(
  platform: RunningPlatform,
  name: ServiceName,
  victims: SupervisedProcess[],
  log: (line: string) => void,
  restart = victims.length,
): Promise<void> {
  for (const victim of victims) victim.kill('SIGKILL');
  await Promise.all(victims.map((victim) => victim.exited));
  log(`killed ${victims.length} × ${name} (-9)`);
  await sleep(2000);
  for (let n = 0; n < restart; n += 1) await platform.startReplica(name);
  log(`restarted ${name}`);
}

/** One change of one record, as the end check compares them: object id and modification time. */
export const changeKey = (objectId: string, dateMs: number) => `${objectId} ${dateMs}`;

export interface DeliveryTally {
  made: number;
  delivered: number;
  lost: string[];
  unexpected: string[];
  /** Deliveries beyond the first under the same webhook-id (retries after a lost answer): allowed. */
  redeliveries: number;
  /** Changes that reached the callback under more than one webhook-id: never allowed. */
  doubledUnderNewIds: string[];
}

/** Compares every change made with what the callback received. */
export function tallyDeliveries(
  expected: ReadonlySet<string>,
  events: ReadonlyArray<Pick<DeliveredEvent, 'objectId' | 'date' | 'webhookId'>>,
): DeliveryTally {
  const webhookIdsByChange = new Map<string, Set<string>>();
  for (const event of events) {
    const change = changeKey(event.objectId, Date.parse(event.date));
    webhookIdsByChange.set(change, (webhookIdsByChange.get(change) ?? new Set()).add(event.webhookId));
  }
  return {
    made: expected.size,
    delivered: webhookIdsByChange.size,
    lost: [...expected].filter((change) => !webhookIdsByChange.has(change)),
    unexpected: [...webhookIdsByChange.keys()].filter((change) => !expected.has(change)),
    redeliveries: events.length - webhookIdsByChange.size,
    doubledUnderNewIds: [...webhookIdsByChange.entries()]
      .filter(([, ids]) => ids.size > 1)
      .map(([change]) => change),
  };
}

/** The one line both suites print (and docs/reliability.md quotes). */
export function summaryLine(tally: DeliveryTally): string {
  return (
    `changes made: ${tally.made}; delivered: ${tally.delivered}; lost: ${tally.lost.length}; ` +
    `unexpected: ${tally.unexpected.length}; re-deliveries under the same webhook-id: ${tally.redeliveries}; ` +
    `doubled under new ids: ${tally.doubledUnderNewIds.length}`
  );
}

/**
 * A TCP proxy in front of the broker (start the broker with `advertisedPort` = `port`, so clients come
 * back through it). While the broker is down it accepts connections and closes them, as Toxiproxy does
 * in the soak. `cutAnswer()` returning true closes a connection instead of passing the broker's answer
 * on (`cuts()` counts them).
 */
export async function brokerProxy(port: number, target: number, cutAnswer: () => boolean = () => false) {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (cutAnswer()) {
        cuts += 1;
        close();
      } else client.write(chunk);
    });
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
