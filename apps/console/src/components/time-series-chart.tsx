// One uPlot chart (https://github.com/leeoniya/uPlot: ~50 KB, canvas, maintained) sized to its
// container. uPlot is imperative, so the chart is created in an effect and destroyed with it.
import { useEffect, useRef } from 'react';
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

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const width = () => Math.max(element.clientWidth, 200);
    // Axes in the theme's colours (uPlot draws on a canvas, which CSS variables do not reach).
    const style = getComputedStyle(element);
    const axis = { stroke: style.color, grid: { stroke: style.borderColor, width: 1 } };
    const chart = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, label: unit, size: 56 }],
        series: [
          {},
          ...series.map((one) => ({
            label: one.label,
            stroke: one.color,
            width: 1.5,
            fill: `${one.color}22`,
            spanGaps: false,
            points: one.dots === true ? { show: true, size: 5 } : { show: false },
          })),
        ],
      },
      [times as number[], ...series.map((one) => one.values as (number | null)[])],
      element,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [times, series, unit]);

  return <div className="chart" ref={host} role="img" aria-label={label} />;
}
