// One uPlot chart (https://github.com/leeoniya/uPlot: ~50 KB, canvas, maintained) sized to its
// container. uPlot is imperative, so the chart is created in an effect and destroyed with it.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
  /** Draw a dot at each value: for sparse series, where a lone value between gaps has no line. */
  readonly dots?: boolean;
}

const HEIGHT = 170;

export function TimeSeriesChart({
  label,
  times,
  series,
  unit,
}: {
  /** Accessible name of the chart (it is an image to assistive technology). */
  readonly label: string;
  /** Unix seconds. */
  readonly times: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly unit: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // The chart is rebuilt only when its series change (names, colours, unit); new numbers (every refresh)
  // go through setData, so the canvas stays in place instead of being torn down and redrawn.
  const shape = JSON.stringify([unit, series.map((one) => [one.label, one.color, one.dots === true])]);
  const data = useMemo(
    (): uPlot.AlignedData => [times as number[], ...series.map((one) => one.values as (number | null)[])],
    [times, series],
  );
  const latest = useRef<uPlot.AlignedData>([[]]);
  // Declared before the chart's own effect, so on mount the chart is built with these numbers.
  useEffect(() => {
    latest.current = data;
    // A new series (an outcome seen for the first time) changes the shape: the effect below rebuilds.
    if (chart.current?.series.length === data.length) chart.current.setData(data);
  }, [data]);

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const [unitLabel, seriesShape] = JSON.parse(shape) as [string, [string, string, boolean][]];
    const width = () => Math.max(element.clientWidth, 200);
    // Axes in the theme's colours (uPlot draws on a canvas, which CSS variables do not reach).
    const style = getComputedStyle(element);
    const axis = { stroke: style.color, grid: { stroke: style.borderColor, width: 1 } };
    const created = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, label: unitLabel, size: 56 }],
        series: [
          {},
          ...seriesShape.map(([seriesLabel, color, dots]) => ({
            label: seriesLabel,
            stroke: color,
            width: 1.5,
            fill: `${color}22`,
            spanGaps: false,
            points: dots ? { show: true, size: 5 } : { show: false },
          })),
        ],
      },
      latest.current,
      element,
    );
    chart.current = created;
    const observer = new ResizeObserver(() => created.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      created.destroy();
      chart.current = null;
    };
  }, [shape]);

  return <div className="chart" ref={host} role="img" aria-label={label} />;
}
