import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compileGlob, compileGlobSet, hasWildcard, wildcardMatch } from "./wildcard.js";

/** Reference semantics for plain mode: the obvious regex. */
function reference(pattern: string, value: string): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s").test(value);
}

/** Reference semantics for ARN mode (see wildcard.ts header). */
function arnReference(pattern: string, value: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      const next = pattern[i + 1];
      source += next === undefined || next === ":" || next === "*" ? ".*" : "[^:]*";
    } else if (c === "?") source += "[^:]";
    else source += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s").test(value);
}

const alphabet = fc.constantFrom("a", "b", ":", "/", "*", "?", "A", "é");
const patternArb = fc.string({ unit: alphabet, maxLength: 10 });
const valueArb = fc.string({ unit: fc.constantFrom("a", "b", ":", "/", "A", "é", "*", "?"), maxLength: 12 });
const literalArb = fc.string({
  unit: fc.constantFrom("a", "b", ":", "/", "A", "é", "x", "."),
  maxLength: 12,
});

describe("wildcard matcher", () => {
  it("matches a table of IAM patterns", () => {
    const cases: Array<[string, string, boolean]> = [
      ["*", "", true],
      ["*", "anything:at/all", true],
      ["secretsmanager:Get*", "secretsmanager:GetSecretValue", true],
      ["secretsmanager:Get*", "secretsmanager:PutSecretValue", false],
      ["secretsmanager:*Secret", "secretsmanager:CreateSecret", true],
      ["secretsmanager:*Secret", "secretsmanager:CreateSecrets", false],
      ["a?c", "abc", true],
      ["a?c", "ac", false],
      ["a*b*c", "aXXbYYc", true],
      ["a*b*c", "aXXcYYb", false],
      ["prod/*", "prod/", true],
      ["prod/*", "prod", false],
      ["", "", true],
      ["", "x", false],
    ];
    for (const [pattern, value, expected] of cases) {
      assert.equal(wildcardMatch(pattern, value), expected, `${pattern} vs ${value}`);
    }
  });

  it("a literal pattern matches only itself", () => {
    fc.assert(
      fc.property(literalArb, literalArb, (pattern, value) => {
        assert.equal(compileGlob(pattern)(value), pattern === value);
        assert.equal(compileGlob(pattern)(pattern), true);
      }),
    );
  });

  it("* matches everything, in plain and ARN mode", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        assert.equal(compileGlob("*")(value), true);
        assert.equal(compileGlob("*", { arn: true })(value), true);
        assert.equal(compileGlobSet(["x", "*"])(value), true);
      }),
    );
  });

  it("agrees with a regex reference in plain mode", () => {
    fc.assert(
      fc.property(patternArb, valueArb, (pattern, value) => {
        assert.equal(compileGlob(pattern)(value), reference(pattern, value), `${pattern} vs ${value}`);
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with a regex reference in ARN mode", () => {
    fc.assert(
      fc.property(patternArb, valueArb, (pattern, value) => {
        assert.equal(
          compileGlob(pattern, { arn: true })(value),
          arnReference(pattern, value),
          `${pattern} vs ${value}`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("a set matches when any member matches", () => {
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 4 }), valueArb, (patterns, value) => {
        const expected = patterns.some((p) => reference(p, value));
        assert.equal(compileGlobSet(patterns)(value), expected);
      }),
    );
  });

  it("ignoreCase compares lower-cased values", () => {
    assert.equal(
      wildcardMatch("SecretsManager:GET*", "secretsmanager:GetSecretValue", { ignoreCase: true }),
      true,
    );
    assert.equal(
      compileGlobSet(["SecretsManager:GetSecretValue"], { ignoreCase: true })(
        "secretsmanager:getsecretvalue",
      ),
      true,
    );
    assert.equal(wildcardMatch("SecretsManager:GET*", "secretsmanager:GetSecretValue"), false);
  });

  it("ARN mode keeps in-segment wildcards inside their segment", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
    const cases: Array<[string, boolean]> = [
      ["arn:aws:secretsmanager:*:*:secret:*", true],
      ["arn:aws:secretsmanager:*", true], // a segment-final * may run past colons (AWS docs)
      ["arn:aws:secretsmanager:us-*-1:123456789012:secret:prod/*", true],
      ["arn:aws:secretsmanager:us-*:secret:prod/*", true], // "us-*" ends its segment: may cross colons
      ["arn:aws:secretsmanager:us-*1:secret:prod/*", false], // an in-segment * cannot cross a colon
      ["arn:aws:secretsmanager:us-east-?:123456789012:secret:prod/db-??????", true],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db", false],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-*", true],
      ["arn:aws:secretsmanager:us-east-1:12345678901?:secret:prod/db-??????", true],
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret?prod/db-AbCdEf", false], // ? never matches ':'
    ];
    for (const [pattern, expected] of cases)
      assert.equal(compileGlob(pattern, { arn: true })(secret), expected, pattern);
  });

  it("stays linear on patterns that make backtracking regexes explode", () => {
    const pattern = `${"*a".repeat(30)}*b`;
    const value = "a".repeat(5000);
    const started = performance.now();
    assert.equal(compileGlob(pattern)(value), false);
    assert.ok(performance.now() - started < 500, "pathological pattern took too long");
  });

  it("hasWildcard", () => {
    assert.equal(hasWildcard("a*"), true);
    assert.equal(hasWildcard("a?"), true);
    assert.equal(hasWildcard("abc"), false);
  });
});
