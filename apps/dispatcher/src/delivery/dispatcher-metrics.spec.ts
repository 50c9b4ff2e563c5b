import { MetricsRegistry } from '@pollcast/service-kit';
import { DispatcherMetrics, MAX_CIRCUIT_SERIES } from './dispatcher-metrics';
import { EndpointGate } from './endpoint-gate';
import type { NotificationStore } from './notification.store';

describe('dispatcher metrics', () => {
  const store = { backlog: () => Promise.reject(new Error('no database in a unit test')) };
  const failTimes = (gate: EndpointGate, endpoint: string, times: number) => {
    for (let i = 0; i < times; i++) {
      const admission = gate.admit(endpoint);
      if (admission.admitted) admission.release('failure');
    }
  };

  it('counts open circuits and names each open endpoint, within a bound', async () => {
    const gate = new EndpointGate({ maxInFlight: 2, failureThreshold: 2, openMs: 60_000 });
    const registry = new MetricsRegistry('dispatcher');
    new DispatcherMetrics(registry, store as unknown as NotificationStore, gate);
    failTimes(gate, 'https://down.example', 2);
    failTimes(gate, 'https://flaky.example', 1);

    let text = await registry.registry.metrics();
    expect(text).toContain('pollcast_dispatcher_circuits_open{component="dispatcher"} 1');
    expect(text).toContain(
      'pollcast_dispatcher_circuit_open{endpoint="https://down.example",component="dispatcher"} 1',
    );
    expect(text).not.toContain('flaky.example');

    for (let i = 0; i < MAX_CIRCUIT_SERIES + 10; i++) failTimes(gate, `https://e${i}.example`, 2);
    text = await registry.registry.metrics();
    expect(text).toContain(
      `pollcast_dispatcher_circuits_open{component="dispatcher"} ${MAX_CIRCUIT_SERIES + 11}`,
    );
    expect(text.match(/^pollcast_dispatcher_circuit_open\{/gm)).toHaveLength(MAX_CIRCUIT_SERIES);
  });
});
