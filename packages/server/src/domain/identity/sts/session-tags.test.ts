import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RoleSessionRecord } from "../../ports/identity-store.js";
import { sessionTagsFromToken, sessionTagsOf } from "./session-tags.js";

const caller: RoleSessionRecord = {
  roleArn: "arn:aws:iam::123456789012:role/ci",
  sessionName: "build-1",
  issuedAt: 0,
  tags: [
    { Key: "team", Value: "payments" },
    { Key: "cost", Value: "42" },
  ],
  transitiveTagKeys: ["team"],
  via: { kind: "assume-role", callerArn: "arn:aws:iam::123456789012:user/alice", callerAccessKeyId: "AKIA" },
};

describe("AssumeRole's session tags", () => {
  it("pass on the calling session's transitive tags, and only those", () => {
    const tags = sessionTagsOf([{ Key: "stage", Value: "prod" }], [], caller);
    assert.deepEqual(tags.tags, [
      { Key: "team", Value: "payments" },
      { Key: "stage", Value: "prod" },
    ]);
    assert.deepEqual(tags.transitiveTagKeys, ["team"]);
    assert.ok(tags.packedPolicySize > 0 && tags.packedPolicySize <= 100);
  });

  it("refuse overriding an inherited transitive tag, in any case", () => {
    assert.throws(() => sessionTagsOf([{ Key: "TEAM", Value: "x" }], [], caller), {
      name: "StsValidationError",
    });
  });

  it("refuse duplicate keys regardless of case, transitive keys that are not tags, and more than 50 tags", () => {
    const twice = [
      { Key: "a", Value: "1" },
      { Key: "A", Value: "2" },
    ];
    assert.throws(() => sessionTagsOf(twice, [], undefined), { name: "StsValidationError" });
    assert.throws(() => sessionTagsOf([{ Key: "a", Value: "1" }], ["b"], undefined), {
      name: "StsValidationError",
    });
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.throws(() => sessionTagsOf(many, [], undefined), { name: "StsValidationError" });
  });

  it("refuse tags whose packed size is over STS's limit", () => {
    // Text that does not compress: a linear congruential generator's letters.
    let seed = 1;
    const letter = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return String.fromCharCode(65 + (seed % 26));
    };
    const text = (length: number) => Array.from({ length }, letter).join("");
    const big = Array.from({ length: 50 }, () => ({ Key: text(128), Value: text(256) }));
    assert.throws(() => sessionTagsOf(big, [], undefined), { name: "PackedPolicyTooLargeException" });
  });
});

describe("a web identity token's session tags", () => {
  it("are read from the https://aws.amazon.com/tags claim", () => {
    const tags = sessionTagsFromToken({
      "https://aws.amazon.com/tags": {
        principal_tags: { team: ["payments"], env: ["prod"] },
        transitive_tag_keys: ["team"],
      },
    });
    assert.deepEqual(tags.tags, [
      { Key: "team", Value: "payments" },
      { Key: "env", Value: "prod" },
    ]);
    assert.deepEqual(tags.transitiveTagKeys, ["team"]);
  });

  it("are none without the claim", () => {
    assert.deepEqual(sessionTagsFromToken({ sub: "x" }).tags, []);
  });

  it("make any malformed claim an InvalidIdentityToken, never a crash", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (claim) => {
        try {
          const tags = sessionTagsFromToken({ "https://aws.amazon.com/tags": claim });
          for (const tag of tags.tags) assert.equal(typeof tag.Value, "string");
        } catch (error) {
          assert.ok(
            (error as Error).name === "InvalidIdentityTokenException" ||
              (error as Error).name === "PackedPolicyTooLargeException",
            String(error),
          );
        }
      }),
    );
  });
});
