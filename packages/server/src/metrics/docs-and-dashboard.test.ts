import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CofferMetrics } from "./coffer-metrics.js";
import { parseExposition } from "./exposition.test-helper.js";

const root = new URL("../../../../", import.meta.url);
const docs = readFileSync(new URL("docs/metrics.md", root), "utf8");
const dashboardText = readFileSync(new URL("deploy/grafana/coffer-dashboard.json", root), "utf8");

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

async function registered(): Promise<Map<string, string>> {
  return parseExposition(await new CofferMetrics().scrape()).types;
}

/** The metric a series name belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
function metricOf(series: string, types: Map<string, string>): string | undefined {
  if (types.has(series)) return series;
  const base = series.replace(/_(bucket|sum|count)$/, "");
  return types.get(base) === "histogram" ? base : undefined;
}

describe("docs/metrics.md and the Grafana dashboard follow the registry", () => {
  test("the doc lists every Coffer metric, and names none that does not exist", async () => {
    const types = await registered();
    for (const name of types.keys()) {
      if (name.startsWith("coffer_"))
        assert.ok(docs.includes(`\`${name}\``), `docs/metrics.md lacks ${name}`);
    }
    for (const [, name] of docs.matchAll(/`(coffer_[a-z_]+)`/g)) {
      assert.ok(metricOf(name as string, types), `docs/metrics.md names ${name}, which is not exported`);
    }
  });

  test("every query of the dashboard reads exported metrics, through the data source variable", async () => {
    const types = await registered();
    const dashboard = JSON.parse(dashboardText) as {
      panels: Panel[];
      templating: { list: Array<{ name: string; type: string; query: unknown }> };
    };
    const variable = dashboard.templating.list.find((v) => v.type === "datasource");
    assert.equal(variable?.query, "prometheus");
    const uid = `\${${variable?.name}}`;
    const queried = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      assert.equal(panel.datasource?.uid, uid, panel.title);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has no query`);
      for (const target of panel.targets ?? []) {
        for (const [series] of target.expr.matchAll(/\b(?:coffer|nodejs|process)_[a-z0-9_]+/g)) {
          const metric = metricOf(series, types);
          assert.ok(metric, `${panel.title}: ${series} is not exported`);
          queried.add(metric as string);
        }
      }
    }
    // Every Coffer metric is on the dashboard somewhere.
    for (const name of types.keys()) {
      if (
        name.startsWith("coffer_") &&
        ![
          "coffer_read_model_entries",
          "coffer_read_model_bytes",
          "coffer_audit_events_written_total",
        ].includes(name)
      ) {
        assert.ok(queried.has(name), `the dashboard does not show ${name}`);
      }
    }
  });
});
