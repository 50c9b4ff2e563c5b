import type { Gauge } from 'prom-client';
import { MetricsRegistry } from './metrics';
import { metricFactory } from './metric-factory';

describe('metricFactory', () => {
  it('declares counters, histograms and gauges on the service registry, gauges collected at scrape', async () => {
    const metrics = new MetricsRegistry('test');
    const metric = metricFactory(metrics);
    metric.counter('t_things_total', 'Things', ['kind']).inc({ kind: 'a' }, 2);
    metric.histogram('t_seconds', 'Durations', [], [1, 5]).observe(3);
    const gauge: Gauge = metric.gauge('t_level', 'Level', [], () => gauge.set(7));
    const text = await metrics.registry.metrics();
    expect(text).toContain('t_things_total{kind="a",component="test"} 2');
    expect(text).toContain('t_seconds_bucket{le="5",component="test"} 1');
    expect(text).toContain('t_level{component="test"} 7');
  });
});
