import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { maskAll } from "./streaming-masker.js";
import { planMasking } from "./values-to-mask.js";

/** How a program might print a secret: each function returns the text it writes. */
const printers: Record<string, (value: string) => string> = {
  plain: (v) => v,
  json: (v) => JSON.stringify({ token: v }),
  upper: (v) => v.toUpperCase(),
  lower: (v) => v.toLowerCase(),
  uri: (v) => `https://example.test/?token=${encodeURIComponent(v)}&x=1`,
  form: (v) => new URLSearchParams({ token: v }).toString(),
  hex: (v) => Buffer.from(v).toString("hex"),
  hexUpper: (v) => Buffer.from(v).toString("hex").toUpperCase(),
  base64: (v) => Buffer.from(v).toString("base64"),
  base64NoPad: (v) => Buffer.from(v).toString("base64").replace(/=+$/, ""),
  base64url: (v) => Buffer.from(v).toString("base64url"),
  basicAuth: (v) => `Authorization: Basic ${Buffer.from(`user:${v}`).toString("base64")}`,
  base64InLine: (v) => Buffer.from(`x${v}yz`).toString("base64"),
  base64urlInLine: (v) => Buffer.from(`ab${v}\n`).toString("base64url"),
};

/** Whether the value can still be read back from what was printed after masking. */
function recoverable(value: string, masked: string): boolean {
  const candidates = [
    masked,
    masked.toLowerCase(),
    masked.toUpperCase(),
    safeDecodeUri(masked),
    Buffer.from(masked.replace(/[^0-9a-fA-F]/g, ""), "hex").toString("utf8"),
    ...masked.split(/[^A-Za-z0-9+/=_-]+/).map((part) => Buffer.from(part, "base64").toString("utf8")),
  ];
  return candidates.some((text) => text.includes(value) || text.toLowerCase().includes(value.toLowerCase()));
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

describe("planMasking", () => {
  it("masks each value and its encodings, skipping empty and too-short ones", () => {
    const plan = planMasking({ A: "hunter2", B: 'line1\nhas "quotes"', C: "abc", D: "", E: "hunter2" });
    assert.deepEqual(plan.tooShort, ["C"]);
    for (const form of [
      "hunter2",
      "HUNTER2",
      'line1\\nhas \\"quotes\\"',
      "line1%0Ahas%20%22quotes%22",
      Buffer.from("hunter2").toString("hex"),
      Buffer.from("hunter2").toString("base64"),
    ]) {
      assert.ok(plan.values.includes(form), form);
    }
    assert.ok(plan.values.every((value) => value.length >= 4));
  });

  it("leaves no printed form of a secret readable in the masked output", () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 8, maxLength: 40, unit: "grapheme-ascii" })
          .filter((v) => v.trim().length >= 8),
        fc.constantFrom(...Object.keys(printers)),
        (value, how) => {
          const printed = `log: ${(printers[how] as (v: string) => string)(value)} done\n`;
          const masked = maskAll(planMasking({ SECRET: value }).values, Buffer.from(printed)).toString(
            "utf8",
          );
          assert.ok(!recoverable(value, masked), `${how}: ${JSON.stringify(value)} -> ${masked}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
