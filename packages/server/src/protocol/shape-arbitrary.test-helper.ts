/**
 * Test support: fast-check arbitraries that produce inputs valid for a model shape, and the AWS
 * message path of each value inside such an input (for mutation tests). Named `*.test-helper.ts`
 * so the test runner does not run it and the package's `!dist/**\/*.test.*` rule keeps it unshipped.
 */
import fc from "fast-check";
import { compileJavaPatterns } from "./java-pattern.js";
import { modelPatterns, type ServiceModel, type Shape, type StringShape, shapeNamed } from "./model.js";

/** Long shapes are mostly exercised short; boundary lengths come from `atBoundary`. */
const TYPICAL_MAX_LENGTH = 24;
const TYPICAL_MAX_ITEMS = 3;

export function arbitraryForShape(model: ServiceModel, shapeName: string): fc.Arbitrary<unknown> {
  const patterns = compileJavaPatterns(modelPatterns(model)).byPattern;
  const memo = new Map<string, fc.Arbitrary<unknown>>();
  const build = (name: string, depth: number): fc.Arbitrary<unknown> => {
    if (depth > 16) throw new Error(`Shape ${name} nests too deep for the generator`);
    const known = memo.get(name);
    if (known !== undefined) return known;
    const arbitrary = forShape(shapeNamed(model, name), (child) => build(child, depth + 1), patterns);
    memo.set(name, arbitrary);
    return arbitrary;
  };
  return build(shapeName, 0);
}

function forShape(
  shape: Shape,
  child: (shapeName: string) => fc.Arbitrary<unknown>,
  patterns: ReadonlyMap<string, RegExp>,
): fc.Arbitrary<unknown> {
  switch (shape.type) {
    case "string":
      return stringArbitrary(shape, patterns);
    case "blob": {
      const min = shape.min ?? 0;
      const max = shape.max ?? 1024;
      return fc
        .oneof(
          {
            weight: 5,
            arbitrary: fc.uint8Array({ minLength: min, maxLength: Math.min(max, min + TYPICAL_MAX_LENGTH) }),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(min, max).map((length) => new Uint8Array(length).fill(0xa5)),
          },
        )
        .map((bytes) => Buffer.from(bytes).toString("base64"));
    }
    case "integer":
    case "long": {
      const integerLimit = shape.type === "integer" ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      return fc.integer({ min: shape.min ?? -integerLimit, max: shape.max ?? integerLimit });
    }
    case "boolean":
      return fc.boolean();
    case "timestamp":
      return fc.oneof(
        fc.integer({ min: 0, max: 253_402_300_799 }),
        fc
          .date({
            min: new Date("1970-01-01T00:00:00Z"),
            max: new Date("9999-12-31T23:59:59Z"),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString()),
      );
    case "list":
      return fc.array(child(shape.member.shape), {
        minLength: shape.min ?? 0,
        maxLength: Math.min(shape.max ?? TYPICAL_MAX_ITEMS, (shape.min ?? 0) + TYPICAL_MAX_ITEMS),
      });
    case "map":
      return fc.dictionary(
        child(shape.key.shape).map((key) => String(key)),
        child(shape.value.shape),
        {
          minKeys: shape.min ?? 0,
          maxKeys: Math.min(shape.max ?? TYPICAL_MAX_ITEMS, (shape.min ?? 0) + TYPICAL_MAX_ITEMS),
        },
      );
    case "structure": {
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, ref] of Object.entries(shape.members)) members[name] = child(ref.shape);
      return fc.record(members, { requiredKeys: [...(shape.required ?? [])] });
    }
  }
}

function stringArbitrary(shape: StringShape, patterns: ReadonlyMap<string, RegExp>): fc.Arbitrary<string> {
  if (shape.enum !== undefined) return fc.constantFrom(...shape.enum);
  const min = shape.min ?? 0;
  const max = shape.max ?? 4096;
  const lengthFits = (text: string) => {
    const length = [...text].length;
    return length >= min && length <= max;
  };
  if (shape.pattern !== undefined) {
    const regex = patterns.get(shape.pattern);
    if (regex === undefined) throw new Error(`Pattern ${shape.pattern} not compiled`);
    return fc.stringMatching(withLengthBounds(regex, min, max)).filter(lengthFits);
  }
  // "binary" draws any code point, so lengths exercise code-point (not UTF-16 unit) counting.
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.string({
        unit: "binary",
        minLength: min,
        maxLength: Math.min(max, min + TYPICAL_MAX_LENGTH),
      }),
    },
    // At the maximum, in astral characters: 2 UTF-16 units each, yet within the limit.
    { weight: 1, arbitrary: fc.constantFrom("x", "😀").map((unit) => unit.repeat(max)) },
    { weight: 1, arbitrary: fc.constant("m".repeat(min)) },
  );
}

/**
 * `^(?:[class]+)$`-style patterns rarely produce long strings, which starves shapes with a large
 * minimum (RotationToken needs 36). Rewriting the lone quantifier as `{min,max}` fixes that.
 */
function withLengthBounds(regex: RegExp, min: number, max: number): RegExp {
  const singleClass = /^\^\(\?:(\^?)(\[(?:\\.|[^\]\\])*\])[+*](\$?)\)\$$/.exec(regex.source);
  if (singleClass === null) return regex;
  const [, , characterClass] = singleClass;
  return new RegExp(`^${characterClass}{${Math.max(min, 1)},${Math.min(max, 300)}}$`, regex.flags);
}
