import { useId } from "react";
import { StatusMessage } from "../../components/error-alert.js";
import { formatTime } from "./activity-format.js";

export const ranges = [
  { id: "15m", label: "Last 15 minutes", seconds: 15 * 60 },
  { id: "1h", label: "Last hour", seconds: 60 * 60 },
  { id: "24h", label: "Last 24 hours", seconds: 24 * 60 * 60 },
  { id: "7d", label: "Last 7 days", seconds: 7 * 24 * 60 * 60 },
] as const;
export type RangeId = (typeof ranges)[number]["id"];

export function RangeControls(props: {
  rangeId: RangeId;
  onRange: (id: RangeId) => void;
  zoom: { start: number; end: number } | undefined;
  onResetZoom: () => void;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
  onRefresh: () => void;
}) {
  const id = useId();
  return (
    <div className="row activity-controls">
      <div className="field">
        <label htmlFor={`${id}-range`}>Time range</label>
        <select
          id={`${id}-range`}
          value={props.rangeId}
          onChange={(event) => props.onRange(event.target.value as RangeId)}
        >
          {ranges.map((range) => (
            <option key={range.id} value={range.id}>
              {range.label}
            </option>
          ))}
        </select>
      </div>
      {props.zoom ? (
        <div className="zoomed">
          <StatusMessage>
            Zoomed to {formatTime(props.zoom.start)} – {formatTime(props.zoom.end)}
          </StatusMessage>
          <button type="button" onClick={props.onResetZoom}>
            Reset zoom
          </button>
        </div>
      ) : (
        <p className="hint">Drag across a chart to zoom into a time range.</p>
      )}
      <div className="field checkbox">
        <label>
          <input
            type="checkbox"
            checked={props.autoRefresh}
            onChange={(event) => props.onAutoRefresh(event.target.checked)}
          />{" "}
          Refresh every 10 s
        </label>
      </div>
      <button type="button" onClick={props.onRefresh}>
        Refresh now
      </button>
    </div>
  );
}
