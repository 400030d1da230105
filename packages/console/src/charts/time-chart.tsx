import { type ReactNode, useEffect, useId, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./charts.css";

export interface ChartSeries {
  label: string;
  /** Stroke colour; each pair with the white background meets 3:1 (WCAG non-text contrast). */
  color: string;
  /** A dash pattern, so series differ by more than colour. */
  dash?: number[];
  /** Unit shown in the legend after a value ("ms"). */
  unit?: string;
  /**
   * For sparse series (null where nothing was measured): join the points across the gaps and mark
   * each one, so a lone measurement is still seen.
   */
  sparse?: boolean;
}

/**
 * A time-series line chart (uPlot) that fills its container's width and follows it when the
 * window narrows. Drag across it to select a time range: `onZoom(startSeconds, endSeconds)` is
 * called (the page refetches that range); the chart itself doesn't rescale. The canvas is hidden
 * from assistive technology: the figure carries `summary` as its label, and `children` (a
 * visually-hidden table of totals) say the rest.
 */
export function TimeChart(props: {
  title: string;
  summary: string;
  /** Bucket start times, epoch seconds. */
  times: number[];
  series: ChartSeries[];
  /** One array per series, aligned with `times`. */
  values: (number | null)[][];
  height?: number;
  onZoom?: (startSeconds: number, endSeconds: number) => void;
  /** Attributes for the figure (data-testid, data-total-requests…). */
  dataAttributes?: Record<`data-${string}`, string>;
  children?: ReactNode;
}) {
  const plotRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const onZoomRef = useRef(props.onZoom);
  onZoomRef.current = props.onZoom;
  const height = props.height ?? 220;
  const captionId = useId();
  const seriesKey = JSON.stringify(props.series);

  // Created once per series shape; data is set separately below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: seriesKey stands for props.series
  useEffect(() => {
    const element = plotRef.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      cursor: { drag: { x: true, y: false, setScale: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      // Counts and latencies start at zero; an empty range still has a scale.
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { size: 56 }],
      series: [
        {},
        ...props.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: 2,
          ...(series.dash ? { dash: series.dash } : {}),
          points: series.sparse ? { show: true, size: 5, fill: series.color } : { show: false },
          spanGaps: series.sparse === true,
          value: (_u: uPlot, value: number | null) =>
            value === null || value === undefined
              ? "—"
              : `${Number.isInteger(value) ? value : value.toFixed(1)}${series.unit ? ` ${series.unit}` : ""}`,
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width < 2) return;
            const start = u.posToVal(left, "x");
            const end = u.posToVal(left + width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoomRef.current?.(Math.floor(start), Math.ceil(end));
          },
        ],
      },
    };
    const chart = new uPlot(options, [[], ...props.series.map(() => [])], element);
    chartRef.current = chart;
    const observer = new ResizeObserver(() => {
      const width = element.clientWidth;
      if (width > 0 && Math.abs(width - chart.width) > 1) chart.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
  }, [seriesKey, height]);

  useEffect(() => {
    chartRef.current?.setData([props.times, ...props.values] as uPlot.AlignedData);
  }, [props.times, props.values]);

  return (
    <figure className="chart" aria-labelledby={captionId} {...props.dataAttributes}>
      <figcaption id={captionId}>
        {props.title}
        <span className="visually-hidden">: {props.summary}</span>
      </figcaption>
      <div className="chart-plot" ref={plotRef} aria-hidden="true" />
      {props.children}
    </figure>
  );
}
