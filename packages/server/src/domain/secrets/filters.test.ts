import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { matchesFilters, type SecretFilter } from "./filters.js";
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

test("name is a case-sensitive prefix, description a case-insensitive one", () => {
  const s = secret("prod/db", "Main Database");
  assert.ok(matches(s, { Key: "name", Values: ["prod/"] }));
  assert.ok(!matches(s, { Key: "name", Values: ["PROD/"] }));
  assert.ok(matches(s, { Key: "description", Values: ["main data"] }));
});

test("values of one filter are alternatives; several filters must all hold; ! negates", () => {
  const s = secret("prod/db", undefined, [["team", "data"]]);
  assert.ok(matches(s, { Key: "name", Values: ["dev/", "prod/"] }));
  assert.ok(!matches(s, { Key: "name", Values: ["prod/"] }, { Key: "tag-key", Values: ["owner"] }));
  assert.ok(matches(s, { Key: "tag-value", Values: ["da"] }, { Key: "name", Values: ["!dev/"] }));
  assert.ok(!matches(s, { Key: "name", Values: ["!prod/"] }));
});

test("all searches every attribute, case-insensitively", () => {
  const s = secret("billing-api", "Stripe key", [["owner", "Payments"]]);
  assert.ok(matches(s, { Key: "all", Values: ["payments"] }));
  assert.ok(matches(s, { Key: "all", Values: ["STRIPE"] }));
  assert.ok(!matches(s, { Key: "all", Values: ["nothing"] }));
});

const filterArb = fc.record({
  Key: fc.constantFrom<SecretFilter["Key"]>("name", "description", "tag-key", "tag-value", "all"),
  Values: fc.array(fc.stringMatching(/^!?[a-z/]{0,4}$/), { minLength: 1, maxLength: 3 }),
});
const secretArb = fc
  .tuple(
    fc.stringMatching(/^[a-z/]{1,6}$/),
    fc.option(fc.stringMatching(/^[a-z ]{0,8}$/), { nil: undefined }),
    fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,3}$/), fc.stringMatching(/^[a-z]{0,3}$/)), {
      maxLength: 3,
    }),
  )
  .map(([name, description, tags]) => secret(name, description, tags));

test("property: adding a filter never widens the result, and no filters match everything", () => {
  fc.assert(
    fc.property(secretArb, fc.array(filterArb, { maxLength: 3 }), filterArb, (s, filters, extra) => {
      assert.ok(matchesFilters(s, [], "us-east-1"));
      if (!matchesFilters(s, filters, "us-east-1"))
        assert.ok(!matchesFilters(s, [...filters, extra], "us-east-1"));
    }),
  );
});

test("property: a negated value matches exactly what the plain value does not", () => {
  fc.assert(
    fc.property(secretArb, filterArb, fc.stringMatching(/^[a-z/]{0,3}$/), (s, filter, value) => {
      const plain = matches(s, { Key: filter.Key, Values: [value] });
      const negated = matches(s, { Key: filter.Key, Values: [`!${value}`] });
      assert.equal(negated, !plain);
    }),
  );
});
