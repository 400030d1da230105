import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { testContext } from "../testing/test-context.js";
import { parseFilters, runList } from "./list.js";

const pages = [
  {
    SecretList: [
      {
        Name: "prod/db",
        Description: "main database",
        LastChangedDate: new Date("2024-05-02T08:00:00.123Z"),
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "core" },
        ],
      },
    ],
    NextToken: "page-2",
  },
  {
    SecretList: [{ Name: "prod/api-token", CreatedDate: new Date("2024-05-03T09:30:00Z") }],
  },
];

describe("coffer list", () => {
  it("follows NextToken through every page and prints one table", async () => {
    const t = testContext({ respond: (_name, _input, index) => pages[index] });
    await runList(t.context, {});

    assert.deepEqual(
      t.sent.map((command) => [command.name, command.input.NextToken]),
      [
        ["ListSecretsCommand", undefined],
        ["ListSecretsCommand", "page-2"],
      ],
    );
    assert.equal(
      t.stdout.text,
      [
        "Name            Description    LastChanged           Tags",
        "prod/db         main database  2024-05-02T08:00:00Z  2",
        "prod/api-token                 2024-05-03T09:30:00Z  0",
        "",
      ].join("\n"),
    );
  });

  it("--json prints all entries as one array", async () => {
    const t = testContext({ respond: (_name, _input, index) => pages[index] });
    await runList(t.context, { json: true });
    const printed = JSON.parse(t.stdout.text);
    assert.deepEqual(
      printed.map((entry: { Name: string }) => entry.Name),
      ["prod/db", "prod/api-token"],
    );
    assert.equal(printed[0].LastChangedDate, "2024-05-02T08:00:00.123Z");
  });

  it("groups repeated --filter keys and sends --include-deleted", async () => {
    const t = testContext({ respond: () => ({ SecretList: [] }) });
    await runList(t.context, {
      filter: ["name=prod/", "tag-key=team", "name=staging/"],
      includeDeleted: true,
    });
    assert.deepEqual(t.sent[0]?.input, {
      Filters: [
        { Key: "name", Values: ["prod/", "staging/"] },
        { Key: "tag-key", Values: ["team"] },
      ],
      IncludePlannedDeletion: true,
      NextToken: undefined,
    });
    assert.equal(t.stdout.text, "");
    assert.equal(t.stderr.text, "No secrets found.\n");
  });

  it("shows when deletion was requested with --include-deleted", async () => {
    const t = testContext({
      respond: () => ({
        SecretList: [
          { Name: "old", LastChangedDate: new Date(0), DeletedDate: new Date("2024-06-01T00:00:00Z") },
        ],
      }),
    });
    await runList(t.context, { includeDeleted: true });
    assert.match(t.stdout.text, /Tags {2}Deleted\n/);
    assert.match(t.stdout.text, /old .*2024-06-01T00:00:00Z\n$/);
  });

  it("rejects unknown filter keys and empty values", () => {
    assert.throws(
      () => parseFilters(["owner=me"]),
      /unknown --filter key "owner"; use one of: name, description/,
    );
    assert.throws(() => parseFilters(["name="]), UsageError);
    assert.throws(() => parseFilters(["name"]), UsageError);
    assert.equal(parseFilters([]), undefined);
  });

  it("keeps control characters from the server out of the terminal", async () => {
    const t = testContext({
      respond: () => ({ SecretList: [{ Name: "evil\u001b[2Jname", Description: "a\nb" }] }),
    });
    await runList(t.context, {});
    assert.ok(!t.stdout.text.includes("\u001b"));
    assert.equal(t.stdout.text.split("\n").length, 3);
  });
});
