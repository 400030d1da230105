import "./charts.css";

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** Extra text after the value ("12 reads"). */
  detail?: string;
}

/**
 * A horizontal bar list: each bar a button (choosing it filters by it), its length relative to the
 * largest value; the numbers are in the text, so nothing depends on seeing the bars.
 */
export function BarList(props: {
  label: string;
  bars: Bar[];
  unit: string;
  onSelect?: (bar: Bar) => void;
  actionLabel?: string;
}) {
  const max = Math.max(1, ...props.bars.map((bar) => bar.value));
  return (
    <ol className="bar-list" aria-label={props.label}>
      {props.bars.map((bar) => (
        <li key={bar.key}>
          <button type="button" onClick={() => props.onSelect?.(bar)}>
            {/* The action is read out but not shown; the name holds the visible text (WCAG 2.5.3). */}
            <span className="bar-text">
              <span>
                <span className="visually-hidden">{props.actionLabel ?? "Filter by"} </span>
                {bar.label}
              </span>
              <span className="bar-value">
                {bar.value} {props.unit}
                {bar.detail ? ` · ${bar.detail}` : ""}
              </span>
            </span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${(100 * bar.value) / max}%` }} />
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}
