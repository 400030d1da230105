import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testContext } from "../testing/test-context.js";
import { runHistory } from "./history.js";

const pages = [
  {
    Versions: [
      { VersionId: "v1", VersionStages: ["AWSPREVIOUS"], CreatedDate: new Date("2024-05-01T00:00:00Z") },
      {
        VersionId: "v3",
        VersionStages: ["AWSCURRENT", "blue"],
        CreatedDate: new Date("2024-05-03T00:00:00Z"),
        LastAccessedDate: new Date("2024-05-04T00:00:00Z"),
      },
    ],
    NextToken: "more",
  },
  { Versions: [{ VersionId: "v2", VersionStages: [], CreatedDate: new Date("2024-05-02T00:00:00Z") }] },
];

describe("coffer history", () => {
  it("lists every page of versions, newest first", async () => {
    const t = testContext({ respond: (_name, _input, index) => pages[index] });
    await runHistory(t.context, "prod/db", { includeDeprecated: true });

    assert.deepEqual(
      t.sent.map((command) => command.input),
      [
        { SecretId: "prod/db", IncludeDeprecated: true, NextToken: undefined },
        { SecretId: "prod/db", IncludeDeprecated: true, NextToken: "more" },
      ],
    );
    assert.equal(
      t.stdout.text,
      [
        "VersionId  Stages           Created               LastAccessed",
        "v3         AWSCURRENT,blue  2024-05-03T00:00:00Z  2024-05-04T00:00:00Z",
        "v2         -                2024-05-02T00:00:00Z  -",
        "v1         AWSPREVIOUS      2024-05-01T00:00:00Z  -",
        "",
      ].join("\n"),
    );
  });

  it("--json prints the versions as the service returned them", async () => {
    const t = testContext({ respond: (_name, _input, index) => pages[index] });
    await runHistory(t.context, "prod/db", { json: true });
    assert.equal(t.sent[0]?.input.IncludeDeprecated, undefined);
    const printed = JSON.parse(t.stdout.text);
    assert.deepEqual(
      printed.map((version: { VersionId: string }) => version.VersionId),
      ["v1", "v3", "v2"],
    );
    assert.equal(printed[1].LastAccessedDate, "2024-05-04T00:00:00.000Z");
  });
});
