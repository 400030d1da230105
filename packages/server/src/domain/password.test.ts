import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidParameterException } from "../errors/catalog.js";
import {
  DEFAULT_PASSWORD_LENGTH,
  DIGITS,
  generateRandomPassword,
  LOWERCASE_LETTERS,
  PUNCTUATION,
  type RandomPasswordParameters,
  UPPERCASE_LETTERS,
} from "./password.js";

const PRINTABLE_ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

/** Character types a request includes, as (name, characters) pairs. */
function includedTypes(params: RandomPasswordParameters): string[] {
  const types: string[] = [];
  if (params.ExcludeLowercase !== true) types.push(LOWERCASE_LETTERS);
  if (params.ExcludeUppercase !== true) types.push(UPPERCASE_LETTERS);
  if (params.ExcludeNumbers !== true) types.push(DIGITS);
  if (params.ExcludePunctuation !== true) types.push(PUNCTUATION);
  if (params.IncludeSpace === true) types.push(" ");
  return types;
}

const optionalFlag = fc.option(fc.boolean(), { nil: undefined });
const parameters: fc.Arbitrary<RandomPasswordParameters> = fc.record(
  {
    PasswordLength: fc.integer({ min: 1, max: 200 }),
    // Mostly a few exclusions, sometimes whole classes, so every error path is reachable.
    ExcludeCharacters: fc.oneof(
      fc.string({ unit: fc.constantFrom(...PRINTABLE_ASCII), maxLength: 12 }),
      fc.constantFrom(DIGITS, PUNCTUATION, `${LOWERCASE_LETTERS} `, "é😀"),
    ),
    ExcludeNumbers: optionalFlag,
    ExcludePunctuation: optionalFlag,
    ExcludeUppercase: optionalFlag,
    ExcludeLowercase: optionalFlag,
    IncludeSpace: optionalFlag,
    RequireEachIncludedType: optionalFlag,
  },
  { requiredKeys: [] },
);

/** Generates, or returns the InvalidParameterException it threw (any other error fails the test). */
function attempt(params: RandomPasswordParameters): string | InvalidParameterException {
  try {
    return generateRandomPassword(params);
  } catch (error) {
    assert.ok(error instanceof InvalidParameterException, String(error));
    return error;
  }
}

describe("generateRandomPassword", () => {
  it("defaults to 32 characters with every type present", () => {
    const password = generateRandomPassword({});
    assert.equal(password.length, DEFAULT_PASSWORD_LENGTH);
    for (const type of includedTypes({}))
      assert.ok(
        [...password].some((c) => type.includes(c)),
        type,
      );
    assert.ok(!password.includes(" "));
  });

  it("uses exactly AWS's punctuation set", () => {
    assert.equal(PUNCTUATION, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    const all = LOWERCASE_LETTERS + UPPERCASE_LETTERS + DIGITS + PUNCTUATION;
    assert.equal([...new Set(all)].sort().join(""), PRINTABLE_ASCII.slice(1).split("").sort().join(""));
  });

  it("has the requested length and never an excluded character", () => {
    fc.assert(
      fc.property(parameters, (params) => {
        const result = attempt(params);
        if (typeof result !== "string") return;
        assert.equal(result.length, params.PasswordLength ?? DEFAULT_PASSWORD_LENGTH);
        const allowed = includedTypes(params).join("");
        for (const character of result) {
          assert.ok(allowed.includes(character), `type not included: ${character}`);
          assert.ok(!(params.ExcludeCharacters ?? "").includes(character), `excluded: ${character}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("contains every included type unless RequireEachIncludedType is false", () => {
    fc.assert(
      fc.property(parameters, (params) => {
        const result = attempt(params);
        if (typeof result !== "string" || params.RequireEachIncludedType === false) return;
        for (const type of includedTypes(params)) {
          assert.ok(
            [...result].some((c) => type.includes(c)),
            `missing one of ${type}`,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("fails only when the request cannot be satisfied", () => {
    fc.assert(
      fc.property(parameters, (params) => {
        const excluded = params.ExcludeCharacters ?? "";
        const usable = includedTypes(params).map((type) => [...type].filter((c) => !excluded.includes(c)));
        const length = params.PasswordLength ?? DEFAULT_PASSWORD_LENGTH;
        const requireEach = params.RequireEachIncludedType !== false;
        const impossible =
          usable.flat().length === 0 ||
          (requireEach && (length < usable.length || usable.some((type) => type.length === 0)));
        assert.equal(typeof attempt(params) !== "string", impossible);
      }),
      { numRuns: 500 },
    );
  });

  it("spreads the required characters over all positions", () => {
    // Lowercase letters plus one required "0": where the first "0" lands must vary over all 8 places.
    const positions = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const password = generateRandomPassword({
        PasswordLength: 8,
        ExcludePunctuation: true,
        ExcludeUppercase: true,
        ExcludeCharacters: "123456789",
      });
      positions.add(password.search(/0/));
    }
    assert.equal(positions.size, 8);
  });

  it("explains each impossible request", () => {
    const everythingExcluded = {
      ExcludeLowercase: true,
      ExcludeUppercase: true,
      ExcludeNumbers: true,
      ExcludePunctuation: true,
    };
    assert.throws(
      () => generateRandomPassword(everythingExcluded),
      /No characters are left.*Include at least one character type/,
    );
    assert.throws(
      () =>
        generateRandomPassword({ ...everythingExcluded, ExcludeNumbers: false, ExcludeCharacters: DIGITS }),
      /No characters are left.*ExcludeCharacters excludes every character of the included types \(digits\)/,
    );
    const tooShort = {
      name: "InvalidParameterException",
      message: "Password length is too short based on the required types.",
    };
    assert.throws(() => generateRandomPassword({ PasswordLength: 3 }), tooShort);
    // IncludeSpace is a fifth required type: 4 characters cannot hold all five, 5 can.
    assert.throws(() => generateRandomPassword({ PasswordLength: 4, IncludeSpace: true }), tooShort);
    assert.match(generateRandomPassword({ PasswordLength: 5, IncludeSpace: true }), / /);
    assert.throws(
      () => generateRandomPassword({ ExcludeCharacters: DIGITS }),
      /ExcludeCharacters excludes all digits.*set ExcludeNumbers to true, or set RequireEachIncludedType to false/,
    );
    assert.throws(
      () => generateRandomPassword({ IncludeSpace: true, ExcludeCharacters: " " }),
      /excludes all spaces.*set IncludeSpace to false/,
    );
    assert.equal(
      generateRandomPassword({ ExcludeCharacters: DIGITS, RequireEachIncludedType: false }).length,
      32,
    );
    assert.equal(generateRandomPassword({ PasswordLength: 1, RequireEachIncludedType: false }).length, 1);
  });

  it("guards the length even without the model validator", () => {
    for (const PasswordLength of [0, 4097, 2.5, Number.NaN]) {
      assert.throws(() => generateRandomPassword({ PasswordLength }), InvalidParameterException);
    }
    assert.equal(generateRandomPassword({ PasswordLength: 4096 }).length, 4096);
  });

  it("treats JSON null as the default", () => {
    const password = generateRandomPassword({
      PasswordLength: null,
      RequireEachIncludedType: null,
      IncludeSpace: null,
    });
    assert.equal(password.length, 32);
  });
});
