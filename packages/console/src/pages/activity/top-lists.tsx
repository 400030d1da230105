import { BarList } from "../../charts/bar-list.js";
import type { Activity } from "./activity-api.js";
import { shortPrincipal } from "./activity-format.js";

export function TopLists(props: {
  activity: Activity;
  onSecret: (secret: string) => void;
  onCaller: (caller: string) => void;
}) {
  return (
    <div className="chart-grid">
      <section aria-labelledby="top-readers-title" className="panel">
        <h2 id="top-readers-title">Top readers</h2>
        {props.activity.TopCallers.length === 0 ? (
          <p>No callers in this range.</p>
        ) : (
          <BarList
            label="Top readers by requests"
            unit="requests"
            bars={props.activity.TopCallers.map((c) => ({
              key: c.Caller,
              label: shortPrincipal(c.Caller),
              value: c.Requests,
              detail: `${c.Reads} reads`,
            }))}
            onSelect={(bar) => props.onCaller(bar.key)}
          />
        )}
      </section>
      <section aria-labelledby="top-secrets-title" className="panel">
        <h2 id="top-secrets-title">Top secrets</h2>
        {props.activity.TopSecrets.length === 0 ? (
          <p>No secret was read in this range.</p>
        ) : (
          <BarList
            label="Top secrets by reads"
            unit="reads"
            bars={props.activity.TopSecrets.map((s) => ({ key: s.SecretId, label: s.Name, value: s.Reads }))}
            onSelect={(bar) => props.onSecret(bar.label)}
          />
        )}
      </section>
    </div>
  );
}
