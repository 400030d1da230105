import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planMasking } from "./values-to-mask.js";

describe("planMasking", () => {
  it("masks each value and its JSON-escaped form, skipping empty and too-short ones", () => {
    assert.deepEqual(planMasking({ A: "hunter2", B: 'line1\nhas "quotes"', C: "abc", D: "", E: "hunter2" }), {
      values: ["hunter2", 'line1\nhas "quotes"', 'line1\\nhas \\"quotes\\"'],
      tooShort: ["C"],
    });
  });
});
