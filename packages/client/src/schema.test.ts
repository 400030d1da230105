import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import * as v from "valibot";
import { z } from "zod";
import { SecretValidationError } from "./errors.js";
import { redactorFor, validateWithSchema } from "./schema.js";
import { canary, renderError } from "./testing/canary.js";

function failure(run: () => unknown): SecretValidationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SecretValidationError, String(error));
    return error;
  }
  assert.fail("expected a SecretValidationError");
}

describe("validateWithSchema", () => {
  const zodSchema = z.object({ host: z.string(), port: z.number().int(), tags: z.array(z.string()) });
  const valibotSchema = v.object({
    host: v.string(),
    port: v.pipe(v.number(), v.integer()),
    tags: v.array(v.string()),
  });

  for (const [library, schema] of [
    ["zod", zodSchema],
    ["valibot", valibotSchema],
  ] as const) {
    it(`accepts and types valid values (${library})`, () => {
      const value = validateWithSchema("prod/db", schema, { host: "h", port: 5432, tags: ["a"] });
      assert.deepEqual(value, { host: "h", port: 5432, tags: ["a"] });
    });

    it(`names the secret and every failing path, never the value (${library})`, () => {
      const host = canary("host");
      const port = canary("port");
      const tag = canary("tag");
      const error = failure(() =>
        validateWithSchema("prod/db", schema, { host: 42, port, tags: ["ok", 7, tag] }),
      );
      assert.equal(error.secretId, "prod/db");
      const paths = error.issues.map((issue) => issue.path.join("."));
      assert.ok(paths.includes("host"), paths.join());
      assert.ok(paths.includes("port"), paths.join());
      assert.ok(paths.includes("tags.1"), paths.join());
      assert.match(error.message, /Secret 'prod\/db' failed validation: .*host/);
      const rendered = renderError(error);
      for (const value of [host, port, tag]) assert.ok(!rendered.includes(value), rendered);
    });
  }

  it("redacts values a validator quotes in its messages (valibot quotes what it received)", () => {
    const value = canary();
    const direct = v.safeParse(v.object({ n: v.number() }), { n: value });
    assert.ok(
      !direct.success && JSON.stringify(direct.issues).includes(value),
      "precondition: valibot quotes the value",
    );
    const error = failure(() => validateWithSchema("s", v.object({ n: v.number() }), { n: value }));
    assert.ok(!renderError(error).includes(value));
    assert.match(error.issues[0]?.message ?? "", /\[REDACTED\]/);
  });

  it("redacts values interpolated by custom messages, including numbers", () => {
    const schema = z.object({
      pin: z.number().refine((n) => n > 10_000_000, { error: (issue) => `bad pin ${String(issue.input)}` }),
      word: z.string().refine(() => false, { error: (issue) => `bad word ${JSON.stringify(issue.input)}` }),
    });
    const error = failure(() => validateWithSchema("s", schema, { pin: 98765, word: 'qu"ote-CANARY' }));
    const rendered = renderError(error);
    assert.ok(!rendered.includes("98765"), rendered);
    assert.ok(!rendered.includes("CANARY"), rendered);
  });

  it("supports asynchronous validators and prefixes field paths", async () => {
    const asyncSchema: StandardSchemaV1<unknown, string> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: async (input) =>
          typeof input === "string"
            ? { value: input.toUpperCase() }
            : { issues: [{ message: "not a string", path: [{ key: "inner" }] }] },
      },
    };
    assert.equal(await validateWithSchema("s", asyncSchema, "abc"), "ABC");
    await assert.rejects(
      async () => validateWithSchema("s", asyncSchema, 1, ["password"]),
      (error: unknown) =>
        error instanceof SecretValidationError && error.issues[0]?.path.join(".") === "password.inner",
    );
  });
});

describe("redactorFor", () => {
  it("leaves ordinary words alone for short values but removes them where they stand alone", () => {
    const redact = redactorFor({ a: "ab", b: 8 });
    assert.equal(
      redact("expected at least 8 characters; about"),
      "expected at least [REDACTED] characters; about",
    );
    assert.equal(redact('received "ab"'), 'received "[REDACTED]"');
  });
});
