import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileJavaPatterns, findJavaOnlyConstruct, spellPunctuationEscapes } from "./java-pattern.js";
import { loadServiceModel, loadStsModel, modelPatterns } from "./model.js";

const model = loadServiceModel();

describe("compileJavaPatterns", () => {
  it("compiles every pattern in the service model", () => {
    const patterns = modelPatterns(model);
    assert.ok(patterns.length >= 5, "the model has patterns to check");
    const compiled = compileJavaPatterns(patterns);
    for (const pattern of patterns) {
      const regex = compiled.byPattern.get(pattern);
      assert.ok(regex instanceof RegExp, pattern);
      assert.equal(regex.flags, compiled.flags);
    }
  });

  it("finds every model string shape's pattern among the compiled ones", () => {
    const compiled = compileJavaPatterns(modelPatterns(model));
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.type === "string" && shape.pattern !== undefined)
        assert.ok(compiled.byPattern.has(shape.pattern), name);
    }
  });

  it("drops the u flag for this model, whose Java identity escapes (\\!, \\=) JS rejects under u", () => {
    assert.equal(compileJavaPatterns(modelPatterns(model)).flags, "");
    const filterValue = model.shapes.FilterValueStringType;
    assert.ok(filterValue?.type === "string" && filterValue.pattern !== undefined);
    const compileUnicode = (source: string) => new RegExp(source, "u");
    assert.throws(() => compileUnicode(filterValue.pattern ?? ""), SyntaxError);
  });

  it("uses the u flag when every pattern allows it", () => {
    assert.equal(compileJavaPatterns(["^[a-z]+$", "\\p{L}+"]).flags, "u");
  });

  it("matches whole values only, like Java's Matcher.matches()", () => {
    const { byPattern } = compileJavaPatterns(["[0-9]+h", "[\\w+=,.@-]+"]);
    const duration = byPattern.get("[0-9]+h");
    assert.ok(duration?.test("24h"));
    assert.ok(!duration?.test("x24h"));
    assert.ok(!duration?.test("24hx"));
    assert.ok(!byPattern.get("[\\w+=,.@-]+")?.test("a b"));
  });

  it("keeps Java's ASCII-only \\w and \\d", () => {
    const { byPattern } = compileJavaPatterns(["\\w+", "\\d+"]);
    assert.ok(!byPattern.get("\\w+")?.test("é"));
    assert.ok(!byPattern.get("\\d+")?.test("٣"));
  });

  it("refuses Java-only constructs instead of misreading them", () => {
    for (const source of [
      "\\p{Alpha}+",
      "\\Aabc\\z",
      "a++",
      "(?i)abc",
      "(?>a)",
      "[a-z&&[^x]]",
      "[]a]",
      "\\Qa.b\\E",
    ]) {
      assert.throws(() => compileJavaPatterns([source, "\\!"]), /JavaScript cannot evaluate/, source);
    }
    assert.equal(findJavaOnlyConstruct("^[\\w+=,.@-]+$", ""), undefined);
    assert.equal(findJavaOnlyConstruct("(?:a)(?=b)(?<n>c)[+]+\\++", ""), undefined);
    assert.equal(findJavaOnlyConstruct("\\p{L}+", "u"), undefined);
    assert.equal(findJavaOnlyConstruct("\\p{L}{2}+", "u"), "a possessive quantifier");
  });
});

describe("STS's patterns", () => {
  const compiled = compileJavaPatterns(modelPatterns(loadStsModel()));

  it("compile under u: Unicode categories (\\p{L}) beside a Java escape of punctuation (\\:)", () => {
    assert.equal(compiled.flags, "u");
    const tagKey = compiled.byPattern.get("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    assert.ok(tagKey?.test("Kostenstelle é-1 ٣"));
    assert.ok(!tagKey?.test("a*b"));
    assert.ok(!tagKey?.test(""));
    const serial = compiled.byPattern.get("[\\w+=,.@\\:-]*");
    assert.ok(serial?.test("arn:aws:iam::1:mfa-x.y"));
    assert.ok(!serial?.test("a b"));
  });

  it("read the ARN pattern's \\u10000 as Java does: \\u1000 then 0", () => {
    const arn = compiled.byPattern.get(
      "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
    );
    assert.ok(arn?.test("arn:aws:iam::123456789012:role/x"));
    assert.ok(!arn?.test("a\u0000b"));
    assert.ok(!arn?.test("\u{1F600}"), "a code point above U+FFFF is outside the class, in Java too");
  });

  it("spell escaped punctuation as \\u00XX and leave JS's syntax escapes alone", () => {
    assert.equal(spellPunctuationEscapes("[\\w\\:\\-\\!]"), "[\\w\\u003a\\u002d\\u0021]");
    assert.equal(spellPunctuationEscapes("\\.\\*\\/\\(\\d\\p{L}"), "\\.\\*\\/\\(\\d\\p{L}");
    assert.ok(
      new RegExp(`^[a${spellPunctuationEscapes("\\-")}z]$`, "u").test("-"),
      "an escaped hyphen stays a literal",
    );
    assert.ok(!new RegExp(`^[a${spellPunctuationEscapes("\\-")}z]$`, "u").test("m"));
  });

  it("refuse Java's POSIX property classes, which JS reads differently, even alone", () => {
    assert.throws(() => compileJavaPatterns(["\\p{Alpha}+"]), /\\p\{Alpha\}/);
    assert.throws(() => compileJavaPatterns(["\\p{Lower}", "\\:"]), /JavaScript cannot evaluate/);
    assert.equal(compileJavaPatterns(["\\p{Lu}\\p{Nd}", "\\:"]).flags, "u");
  });
});
