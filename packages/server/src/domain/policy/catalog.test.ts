import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { COFFER_ADMIN_ACTIONS, SECRETS_MANAGER_ACTIONS } from "./catalog.js";

function operationsOf(modelFile: string): string[] {
  const model = JSON.parse(readFileSync(new URL(`../../../model/${modelFile}`, import.meta.url), "utf8")) as {
    operations: Record<string, unknown>;
  };
  return Object.keys(model.operations).sort();
}

describe("action catalog", () => {
  it("has one secretsmanager: action per operation of the Secrets Manager model", () => {
    assert.deepEqual(
      SECRETS_MANAGER_ACTIONS.map((a) => a.slice("secretsmanager:".length)).sort(),
      operationsOf("secretsmanager-2017-10-17.json"),
    );
  });

  it("has one coffer: action per operation of the admin model (add new admin operations to the catalog)", () => {
    assert.deepEqual(
      COFFER_ADMIN_ACTIONS.map((a) => a.slice("coffer:".length)).sort(),
      operationsOf("coffer-admin-2026-11-28.json"),
    );
  });
});
