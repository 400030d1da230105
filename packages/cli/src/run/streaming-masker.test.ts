import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MASK, maskAll, StreamingMasker } from "./streaming-masker.js";

/** The obvious whole-input masker, written independently: leftmost, then longest. */
function referenceMask(values: readonly string[], input: Buffer): Buffer {
  const patterns = [...new Set(values.filter((v) => v !== ""))]
    .map((v) => Buffer.from(v, "utf8"))
    .sort((a, b) => b.length - a.length);
  const out: Buffer[] = [];
  let i = 0;
  while (i < input.length) {
    const hit = patterns.find((p) => input.subarray(i, i + p.length).equals(p));
    if (hit) {
      out.push(Buffer.from(MASK));
      i += hit.length;
    } else {
      out.push(input.subarray(i, i + 1));
      i += 1;
    }
  }
  return Buffer.concat(out);
}

function streamed(values: readonly string[], chunks: readonly Buffer[]): Buffer {
  const masker = new StreamingMasker(values);
  return Buffer.concat([...chunks.map((chunk) => masker.write(chunk)), masker.end()]);
}

/** Cuts `input` at the given offsets (taken modulo its length). */
function cut(input: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => (input.length === 0 ? 0 : o % (input.length + 1))))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.subarray(start, point));
    start = point;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

// A small alphabet makes overlaps, shared prefixes and near-misses common.
const smallText = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom("a", "b", "c", "é", "\n"), maxLength });
const scenario = fc.record({
  values: fc.array(smallText(6), { maxLength: 5 }),
  input: fc.array(fc.oneof(smallText(10), fc.constantFrom("abc", "aab", "ééa")), { maxLength: 8 }),
  offsets: fc.array(fc.nat(200), { maxLength: 12 }),
});

describe("StreamingMasker", () => {
  it("masks every value, longest first, and keeps the rest", () => {
    const out = maskAll(["hunter2", "hunter22", "s3cret"], Buffer.from("pw=hunter22 and hunter2, s3cre"));
    assert.equal(out.toString(), "pw=*** and ***, s3cre");
  });

  it("masks a value split across chunks, holding back only a possible prefix", () => {
    const masker = new StreamingMasker(["CANARY-secret"]);
    assert.equal(masker.write(Buffer.from("before CAN")).toString(), "before ");
    assert.equal(masker.write(Buffer.from("ARY-sec")).toString(), "");
    assert.equal(masker.write(Buffer.from("ret after CA")).toString(), "*** after ");
    assert.equal(masker.end().toString(), "CA");
  });

  it("masks values cut inside a multi-byte character", () => {
    const value = Buffer.from("pässwörd");
    const masker = new StreamingMasker(["pässwörd"]);
    const first = masker.write(value.subarray(0, 2));
    const rest = masker.write(Buffer.concat([value.subarray(2), Buffer.from("!")]));
    assert.equal(Buffer.concat([first, rest, masker.end()]).toString(), "***!");
  });

  it("property: for any chunking, the output is the whole input masked at once", () => {
    fc.assert(
      fc.property(scenario, ({ values, input, offsets }) => {
        const whole = Buffer.from(input.join(""), "utf8");
        const expected = referenceMask(values, whole);
        assert.deepEqual(streamed(values, cut(whole, offsets)), expected);
        assert.deepEqual(maskAll(values, whole), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: byte by byte equals all at once", () => {
    fc.assert(
      fc.property(scenario, ({ values, input }) => {
        const whole = Buffer.from(input.join(""), "utf8");
        const bytes = [...whole].map((byte) => Buffer.from([byte]));
        assert.deepEqual(streamed(values, bytes), maskAll(values, whole));
      }),
      { numRuns: 500 },
    );
  });

  it("property: no value survives (when the mask's characters are not in the alphabet)", () => {
    fc.assert(
      fc.property(scenario, ({ values, input, offsets }) => {
        const output = streamed(values, cut(Buffer.from(input.join(""), "utf8"), offsets));
        for (const value of values) {
          if (value !== "") assert.equal(output.includes(Buffer.from(value)), false, value);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("property: it never holds back more than the longest value minus one byte", () => {
    fc.assert(
      fc.property(scenario, ({ values, input, offsets }) => {
        const masker = new StreamingMasker(values);
        const longest = Math.max(0, ...values.map((v) => Buffer.byteLength(v)));
        for (const chunk of cut(Buffer.from(input.join(""), "utf8"), offsets)) {
          masker.write(chunk);
          assert.ok(masker.heldBack <= Math.max(0, longest - 1));
        }
        masker.end();
        assert.equal(masker.heldBack, 0);
      }),
      { numRuns: 1000 },
    );
  });
});
