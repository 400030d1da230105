import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { searchWords } from "../ports/search-words.js";
import { indexedMatches, matchesFilters, type SecretFilter } from "./filters.js";
import { referenceMatches, wordsOf } from "./filters-reference.test-helper.js";
import type { SecretRecord } from "./records.js";

const secret = (name: string, description?: string, tags: Array<[string, string]> = []): SecretRecord => ({
  arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-abcdef`,
  region: "us-east-1",
  name,
  description,
  kmsKeyId: undefined,
  tags: tags.map(([Key, Value]) => ({ Key, Value })),
  createdAt: 0,
  lastChangedAt: 0,
  lastAccessedAt: undefined,
  deletedAt: undefined,
  deletionDate: undefined,
  resourcePolicy: undefined,
  seal: undefined,
  revision: 1,
});

const matches = (s: SecretRecord, ...filters: SecretFilter[]) => matchesFilters(s, filters, "us-east-1");
const names = (secrets: SecretRecord[], ...filters: SecretFilter[]) =>
  secrets.filter((s) => matches(s, ...filters)).map((s) => s.name);

test("words: letters and digits, cut at lower-to-upper and letter-digit changes, lowercased (AWS's user guide)", () => {
  assert.deepEqual(searchWords("credsDatabase#892"), ["creds", "database", "892"]);
  assert.deepEqual(searchWords("My_Secret"), ["my", "secret"]);
  assert.deepEqual(searchWords("prod/db-Main v2"), ["prod", "db", "main", "v", "2"]);
  assert.deepEqual(searchWords(" /_=# "), []);
});

test("AWS's recorded answers (LocalStack's test_list_secrets_filtering, validated against AWS)", () => {
  const all = [
    secret("testing1/one", "a secret"),
    secret("/testing2/two", "an secret"),
    secret("testing3/three", "asecret"),
    secret("/testing4/four", "thesecret"),
  ];
  assert.deepEqual(names(all, { Key: "name", Values: ["/"] }), ["/testing2/two", "/testing4/four"]);
  assert.deepEqual(names(all, { Key: "name", Values: ["!/"] }), ["testing1/one", "testing3/three"]);
  assert.deepEqual(names(all, { Key: "name", Values: ["testing1 one"] }), []);
  assert.deepEqual(names(all, { Key: "description", Values: ["a"] }), [
    "testing1/one",
    "/testing2/two",
    "testing3/three",
  ]);
  assert.deepEqual(names(all, { Key: "description", Values: ["!a"] }), ["/testing4/four"]);
  assert.deepEqual(names(all, { Key: "description", Values: ["a secret"] }), [
    "testing1/one",
    "/testing2/two",
  ]);
  assert.deepEqual(names(all, { Key: "description", Values: ["!c"] }).length, 4);
  assert.deepEqual(
    names(all, { Key: "description", Values: ["a"] }, { Key: "name", Values: ["secret"] }),
    [],
  );
  assert.deepEqual(names(all, { Key: "description", Values: ["a"] }, { Key: "name", Values: ["an"] }), []);
});

test("the user guide's examples: name and tags are case-sensitive prefixes, description words any case", () => {
  const data = [secret("DatabaseSecret"), secret("databaseSecret"), secret("MyData")];
  assert.deepEqual(names(data, { Key: "name", Values: ["Data"] }), ["DatabaseSecret"]);
  const tagged = [
    secret("a", undefined, [["Production", "x"]]),
    secret("b", undefined, [["Prod1", "x"]]),
    secret("c", undefined, [["prod", "x"]]),
    secret("d", undefined, [["1 Prod", "x"]]),
  ];
  assert.deepEqual(names(tagged, { Key: "tag-key", Values: ["Prod"] }), ["a", "b"]);
  const described = [
    "My Description",
    "my description",
    "My basic description",
    "Description of my secret",
  ].map((d, i) => secret(`s${i}`, d));
  assert.equal(names(described, { Key: "description", Values: ["My Description"] }).length, 4);
  assert.deepEqual(
    names([...described, secret("none", "unrelated")], { Key: "description", Values: ["my"] }),
    ["s0", "s1", "s2", "s3"],
  );
});

test("values of one filter are alternatives, negated ones too; several filters must all hold", () => {
  const s = secret("prod/db", "one two", [["team", "data"]]);
  assert.ok(matches(s, { Key: "name", Values: ["dev/", "prod/"] }));
  assert.ok(!matches(s, { Key: "name", Values: ["prod/"] }, { Key: "tag-key", Values: ["owner"] }));
  assert.ok(matches(s, { Key: "tag-value", Values: ["da"] }, { Key: "name", Values: ["!dev/"] }));
  assert.ok(!matches(s, { Key: "name", Values: ["!prod/"] }));
  // moto's test_with_filter_with_negation: "one" holds, so "!two" does not exclude it.
  assert.ok(matches(s, { Key: "description", Values: ["one", "!two"] }));
  assert.ok(!matches(s, { Key: "description", Values: ["!one", "!two"] }));
  // A negated tag filter: no tag starts with it.
  assert.ok(!matches(s, { Key: "tag-key", Values: ["!te"] }));
  assert.ok(matches(secret("untagged"), { Key: "tag-key", Values: ["!te"] }));
});

test("all searches the words of the name, description, tag keys and values, case-insensitively", () => {
  const s = secret("billing-api", "Stripe key", [["owner", "PaymentsTeam"]]);
  assert.ok(matches(s, { Key: "all", Values: ["payments"] }));
  assert.ok(matches(s, { Key: "all", Values: ["TEAM"] }));
  assert.ok(matches(s, { Key: "all", Values: ["team PAY"] }), "every word within one attribute");
  assert.ok(!matches(s, { Key: "all", Values: ["STRIPE api"] }), "not words of different attributes");
  assert.ok(
    !matches(s, { Key: "all", Values: ["owner payments"] }),
    "a tag's key and value are two attributes",
  );
  assert.ok(matches(s, { Key: "all", Values: ["api"] }), "a word inside the name");
  assert.ok(!matches(s, { Key: "all", Values: ["us"] }), "the region is not one of the attributes");
  assert.ok(!matches(s, { Key: "all", Values: ["nothing"] }));
  assert.ok(!matches(s, { Key: "all", Values: ["/"] }), "a value without words finds nothing");
  assert.ok(matches(s, { Key: "all", Values: ["!/"] }));
});

test("primary-region and owning-service", () => {
  const s = secret("x");
  assert.ok(matches(s, { Key: "primary-region", Values: ["us-"] }));
  assert.ok(!matches(s, { Key: "primary-region", Values: ["US-"] }));
  assert.ok(!matches(s, { Key: "owning-service", Values: ["rds", ""] }));
  assert.ok(matches(s, { Key: "owning-service", Values: ["!rds"] }));
});

test("indexedMatches: negated values are not indexed; decided values are decided", () => {
  const region = "us-east-1";
  assert.deepEqual(indexedMatches([{ Key: "name", Values: ["a", "b"] }], region), [
    { field: "name", prefixes: ["a", "b"] },
  ]);
  assert.deepEqual(indexedMatches([{ Key: "name", Values: ["a", "!b"] }], region), []);
  assert.deepEqual(indexedMatches([{ Key: "description", Values: ["Main DB"] }], region), [
    { field: "description", prefixes: ["main"] },
    { field: "description", prefixes: ["db"] },
  ]);
  assert.deepEqual(indexedMatches([{ Key: "all", Values: ["ab cde", "f"] }], region), [
    { field: "any", prefixes: ["cde", "f"] },
  ]);
  assert.equal(indexedMatches([{ Key: "owning-service", Values: ["x"] }], region), undefined);
  assert.equal(indexedMatches([{ Key: "description", Values: ["/"] }], region), undefined);
  assert.deepEqual(indexedMatches([{ Key: "owning-service", Values: ["!x"] }], region), []);
  assert.deepEqual(indexedMatches([{ Key: "primary-region", Values: ["eu", "us"] }], region), []);
  assert.deepEqual(indexedMatches([{ Key: "tag-value", Values: [""] }], region), [
    { field: "tag-key", prefixes: [""] },
  ]);
});

// Texts that exercise case changes, digits, separators and non-ASCII letters.
const textArb = (max: number) =>
  fc
    .array(
      fc.constantFrom("a", "b", "A", "B", "1", "2", "/", "-", " ", "_", "σ", "Σ", "é", "ab", "Ab", "aB"),
      {
        maxLength: max,
      },
    )
    .map((parts) => parts.join(""));
const valueArb = fc.tuple(fc.boolean(), textArb(4)).map(([not, v]) => `${not ? "!" : ""}${v}`);
const filterArb = fc.record({
  Key: fc.constantFrom<SecretFilter["Key"]>(
    "name",
    "description",
    "tag-key",
    "tag-value",
    "primary-region",
    "owning-service",
    "all",
  ),
  Values: fc.array(fc.oneof(valueArb, fc.constantFrom("us-", "!us-", "eu", "", "!", "!!a", "!a")), {
    minLength: 1,
    maxLength: 3,
  }),
});
const secretArb = fc
  .tuple(
    textArb(5).filter((n) => n.length > 0),
    fc.option(textArb(8), { nil: undefined }),
    fc.array(
      fc.tuple(
        textArb(3).filter((k) => k.length > 0),
        textArb(3),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([name, description, tags]) => secret(name, description, tags));

test("property: searchWords splits as the reference's character scan does", () => {
  fc.assert(fc.property(textArb(12), (text) => assert.deepEqual(searchWords(text), wordsOf(text))));
});

test("property: matchesFilters agrees with the plain reference reading of AWS's rules", () => {
  fc.assert(
    fc.property(secretArb, fc.array(filterArb, { maxLength: 3 }), (s, filters) => {
      assert.equal(matchesFilters(s, filters, "us-east-1"), referenceMatches(s, filters, "us-east-1"));
    }),
    { numRuns: 2000 },
  );
});

test("property: a secret that passes the filters holds every match indexedMatches gives the store", () => {
  fc.assert(
    fc.property(secretArb, fc.array(filterArb, { maxLength: 3 }), (s, filters) => {
      const plan = indexedMatches(filters, "us-east-1");
      if (!referenceMatches(s, filters, "us-east-1")) return;
      assert.ok(plan !== undefined, "a passing secret, yet the plan says none can pass");
      for (const match of plan) {
        const starts = (text: string) => match.prefixes.some((p) => text.startsWith(p));
        const wordStarts = (text: string) => wordsOf(text).some(starts);
        const holds =
          match.field === "name"
            ? starts(s.name)
            : match.field === "tag-key"
              ? s.tags.some((t) => starts(t.Key))
              : match.field === "tag-value"
                ? s.tags.some((t) => starts(t.Value))
                : match.field === "description"
                  ? wordStarts(s.description ?? "")
                  : [s.name, s.description ?? "", ...s.tags.flatMap((t) => [t.Key, t.Value])].some(
                      wordStarts,
                    );
        assert.ok(holds, JSON.stringify(match));
      }
    }),
    { numRuns: 2000 },
  );
});

test("property: a negated value matches exactly what the plain value does not", () => {
  fc.assert(
    fc.property(secretArb, filterArb, textArb(3), (s, filter, value) => {
      const plain = matches(s, { Key: filter.Key, Values: [value] });
      const negated = matches(s, { Key: filter.Key, Values: [`!${value}`] });
      assert.equal(negated, !plain);
    }),
  );
});
