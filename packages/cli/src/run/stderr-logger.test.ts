import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonLinesLogger } from "./stderr-logger.js";

describe("jsonLinesLogger", () => {
  it("says whether debug lines are written, and writes them only then", () => {
    for (const level of ["debug", "info", "warn", "error"] as const) {
      const lines: string[] = [];
      const logger = jsonLinesLogger({ write: (chunk) => lines.push(String(chunk)) }, level);
      logger.debug("detail", { n: 1 });
      assert.equal(logger.debugEnabled, level === "debug");
      assert.equal(lines.length, level === "debug" ? 1 : 0);
    }
  });
});
