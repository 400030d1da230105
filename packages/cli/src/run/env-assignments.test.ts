import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { parseEnvAssignments } from "./env-assignments.js";

describe("parseEnvAssignments", () => {
  it("maps names to references, splitting at the first =", () => {
    assert.deepEqual(parseEnvAssignments(["DB_PASSWORD=prod/db#password", "KEY=coffer://a=b"]), {
      DB_PASSWORD: "prod/db#password",
      KEY: "coffer://a=b",
    });
  });

  it("refuses missing parts, bad names and repeats", () => {
    for (const bad of [["NOEQUALS"], ["=ref"], ["NAME="], ["1NAME=ref"], ["A-B=ref"], ["A=x", "A=y"]]) {
      assert.throws(() => parseEnvAssignments(bad), UsageError, bad.join(" "));
    }
  });
});
