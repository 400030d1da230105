import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { format, inspect } from "node:util";
import { Secret } from "./secret.js";

const canary = "CANARY-secret-7f3a9c";

describe("Secret", () => {
  const secret = new Secret(canary);

  it("unwraps explicitly", () => {
    assert.equal(secret.unwrap(), canary);
    const object = { password: canary };
    assert.equal(new Secret(object).unwrap(), object);
  });

  it("prints [REDACTED] through util.inspect and console.log formatting", () => {
    for (const text of [
      inspect(secret),
      inspect(secret, { showHidden: true, depth: 10 }),
      inspect({ nested: { secret } }, { depth: 10 }),
      format("%s %o %O %j", secret, secret, secret, secret),
    ]) {
      assert.ok(text.includes("[REDACTED]"), text);
      assert.ok(!text.includes(canary), text);
    }
  });

  it("prints [REDACTED] through console.log itself", (t) => {
    const lines: string[] = [];
    t.mock.method(process.stdout, "write", (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    console.log(secret, { secret });
    t.mock.restoreAll();
    assert.equal(lines.length, 1);
    assert.ok(!lines.join("").includes(canary));
    assert.ok(lines.join("").includes("[REDACTED]"));
  });

  it("prints [REDACTED] through JSON.stringify, template strings, concatenation and String()", () => {
    assert.equal(JSON.stringify({ secret }), '{"secret":"[REDACTED]"}');
    assert.equal(`${secret}`, "[REDACTED]");
    assert.equal(`x${secret}`, "x[REDACTED]");
    assert.equal(String(secret), "[REDACTED]");
    // biome-ignore lint/style/useTemplate: concatenation is the case under test
    assert.equal("" + secret, "[REDACTED]");
  });

  it("keeps a wrapped object's value out of every rendering", () => {
    const wrapped = new Secret({ apiKey: canary });
    for (const text of [inspect(wrapped, { showHidden: true }), JSON.stringify(wrapped), `${wrapped}`]) {
      assert.ok(!text.includes(canary), text);
    }
    assert.deepEqual(Object.keys(wrapped), []);
    assert.ok(!JSON.stringify(structuredClone(wrapped)).includes(canary));
  });
});
