import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { splitKeyValue } from "./key-value.js";
import { formatDate, formatFields, formatTable, toJson } from "./output.js";

describe("formatTable", () => {
  it("aligns columns and does not pad the last one", () => {
    assert.equal(
      formatTable(
        ["Name", "Tags"],
        [
          ["a", "1"],
          ["longer-name", "12"],
        ],
      ),
      "Name         Tags\na            1\nlonger-name  12\n",
    );
  });

  it("starts each column at the same offset on every line", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "b", " ", "é", "-") });
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { maxLength: 8 }), (rows) => {
        const [header = "", ...lines] = formatTable(["A", "B", "C"], rows).split("\n").slice(0, -1);
        const second = header.indexOf("B");
        const third = header.indexOf("C");
        assert.equal(lines.length, rows.length);
        for (const [index, [a, b, c]] of rows.entries()) {
          const expected = `${a.padEnd(second - 2)}  ${b.padEnd(third - second - 2)}  ${c}`.trimEnd();
          assert.equal(lines[index], expected);
        }
      }),
    );
  });
});

describe("formatFields", () => {
  it("aligns values after the labels", () => {
    assert.equal(
      formatFields([
        ["ARN", "arn:x"],
        ["VersionId", "v1"],
      ]),
      "ARN:        arn:x\nVersionId:  v1\n",
    );
  });
});

describe("formatDate", () => {
  it("prints ISO 8601 to the second, or - when absent", () => {
    assert.equal(formatDate(new Date("2024-05-01T12:34:56.789Z")), "2024-05-01T12:34:56Z");
    assert.equal(formatDate(undefined), "-");
  });
});

describe("toJson", () => {
  it("drops $metadata, writes dates as ISO strings and bytes as base64", () => {
    const json = toJson({
      $metadata: { requestId: "r" },
      When: new Date(0),
      Bytes: new Uint8Array([104, 105]),
    });
    assert.deepEqual(JSON.parse(json), { When: "1970-01-01T00:00:00.000Z", Bytes: "aGk=" });
    assert.ok(json.endsWith("}\n"));
  });
});

describe("splitKeyValue", () => {
  it("splits at the first = for any key without = and any value", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((key) => !key.includes("=")),
        fc.string(),
        (key, value) => {
          assert.deepEqual(splitKeyValue(`${key}=${value}`), { key, value });
        },
      ),
    );
  });

  it("returns undefined without a key or an =", () => {
    assert.equal(splitKeyValue("=value"), undefined);
    assert.equal(splitKeyValue("novalue"), undefined);
  });
});
