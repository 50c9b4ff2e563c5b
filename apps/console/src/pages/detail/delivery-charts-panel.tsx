// The last 24 h of one instance at a glance: events per minute by type, delivery attempts by outcome,
// and event time → 2xx latency (p50, p99), from the dispatcher's delivery-stats.
import { useMemo } from 'react';
import type { DeliveryStats } from '../../api/delivery-stats';
import { useApi } from '../../api-context';
import { LoadedPanel } from '../../components/loaded-panel';
import { TimeSeriesChart, type ChartSeries } from '../../components/time-series-chart';
import { useLoad } from '../../lib/use-load';

const CHART_REFRESH_MS = 15_000;

// Fixed hues that read on the light and the dark theme alike.
const TYPE_COLORS: Record<string, string> = { CREATED: '#2da44e', UPDATED: '#3b82f6', DELETED: '#e5534b' };
const OUTCOME_COLORS: Record<string, string> = {
  delivered: '#2da44e',
  'http-error': '#d29922',
  timeout: '#a371f7',
  'connection-error': '#e5534b',
  refused: '#8b949e',
};
const FALLBACK_COLORS = ['#db61a2', '#39c5cf', '#bf8700', '#768390'];

function toSeries(map: DeliveryStats['eventsByType'], colors: Record<string, string>): ChartSeries[] {
  return Object.entries(map).map(([label, values], index) => ({
    label,
    values,
    color: colors[label] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length] ?? '#768390',
  }));
}

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
const breakdown = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .map(([key, count]) => `${count} ${key.toLowerCase()}`)
    .join(', ');

export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** One line a person (or a test) can read without the canvas. */
export function statsSummary(stats: DeliveryStats): string {
  const events = sum(stats.totals.eventsByType);
  const attempts = sum(stats.totals.attemptsByOutcome);
  const parts = [
    events === 0 ? 'no events' : `${plural(events, 'event')} (${breakdown(stats.totals.eventsByType)})`,
    attempts === 0
      ? 'no delivery attempts'
      : `${plural(attempts, 'delivery attempt')} (${breakdown(stats.totals.attemptsByOutcome)})`,
  ];
  if (stats.totals.deliveredEvents > 0) {
    parts.push(
      `latency p50 ${formatLatency(stats.totals.latencyMs.p50)}, p99 ${formatLatency(stats.totals.latencyMs.p99)}`,
    );
  }
  return parts.join(' · ');
}

export function DeliveryChartsPanel({ instanceId }: { readonly instanceId: string }) {
  const api = useApi();
  const stats = useLoad(() => api.getDeliveryStats(instanceId), [api, instanceId], {
    refreshMs: CHART_REFRESH_MS,
  });
  const charts = useMemo(() => (stats.data === undefined ? [] : chartsOf(stats.data)), [stats.data]);
  return (
    <LoadedPanel
      id="charts"
      title="Last 24 hours"
      className="charts-panel"
      loaded={stats}
      refreshLabel="Refresh the charts"
      loadingLabel="Loading the charts…"
    >
      {(data) => (
        <>
          <p className="chart-summary" data-testid="charts-summary">
            {statsSummary(data)}
          </p>
          <div className="charts">
            {charts.map((chart) => (
              <figure key={chart.label}>
                <figcaption>{chart.caption}</figcaption>
                <TimeSeriesChart
                  label={chart.label}
                  times={data.bucketStarts}
                  series={chart.series}
                  unit={chart.unit}
                />
              </figure>
            ))}
          </div>
        </>
      )}
    </LoadedPanel>
  );
}

/** The three charts: what each shows and its series (latency in seconds, for the axis). */
function chartsOf(stats: DeliveryStats) {
  const seconds = (values: readonly (number | null)[]) =>
    values.map((value) => (value === null ? null : value / 1000));
  return [
    {
      caption: 'Events per minute, by type',
      label: 'Events per minute by type',
      unit: 'events/min',
      series: toSeries(stats.eventsByType, TYPE_COLORS),
    },
    {
      caption: 'Delivery attempts per minute, by outcome',
      label: 'Delivery attempts per minute by outcome',
      unit: 'attempts/min',
      series: toSeries(stats.attemptsByOutcome, OUTCOME_COLORS),
    },
    {
      caption: 'Delivery latency, event time → 2xx',
      label: 'Delivery latency p50 and p99',
      unit: 'seconds',
      series: [
        { label: 'p50', color: '#3b82f6', values: seconds(stats.latencyMs.p50), dots: true },
        { label: 'p99', color: '#e5534b', values: seconds(stats.latencyMs.p99), dots: true },
      ],
    },
  ];
}
