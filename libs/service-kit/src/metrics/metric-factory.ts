import { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics';

/** Declares a service's Prometheus series on its registry, one line each, label names typed. */
export interface MetricFactory {
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L>;
  /** `collect` runs at scrape time (gauges read from a shared table, for example). */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L>;
}

export function metricFactory(metrics: MetricsRegistry): MetricFactory {
  const registers = [metrics.registry];
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers }),
    histogram: (name, help, labelNames, buckets) =>
      new Histogram({ name, help, labelNames, buckets, registers }),
    gauge: (name, help, labelNames = [], collect) =>
      new Gauge({ name, help, labelNames, registers, ...(collect === undefined ? {} : { collect }) }),
  };
}
