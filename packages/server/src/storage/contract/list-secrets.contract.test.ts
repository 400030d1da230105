import assert from "node:assert/strict";
import { test } from "node:test";
import type { ListPlan } from "../sqlite/sqlite-store.js";
import { forEachEngine, sqliteHarness } from "./engines.contract.js";
import { describeListSecretsContract } from "./list-secrets.contract.js";

forEachEngine(describeListSecretsContract);

// SQLite plans a filtered page by hand (sqlite-store.ts listSecrets): with tiny limits, the data set
// of a dozen secrets takes every plan, and each must answer the same.
const plans = new Set<ListPlan>();
describeListSecretsContract(
  "SQLite, every list plan",
  sqliteHarness({
    listPlan: { smallSet: () => 2, window: () => 3, maxCount: 4 },
    onListPlan: (plan) => plans.add(plan),
  }),
);

test("the SQLite engine took every list plan above", () => {
  const every: ListPlan[] = ["walk", "candidates", "window", "window, then candidates", "window, then walk"];
  assert.deepEqual([...plans].sort(), every.sort());
});
