import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CofferClientError } from "./errors.js";
import { parseReference, toTarget } from "./reference.js";

describe("parseReference", () => {
  it("reads every scheme of the contract", () => {
    assert.deepEqual(parseReference("coffer://prod/db#password"), {
      scheme: "coffer",
      id: "prod/db",
      field: "password",
    });
    assert.deepEqual(parseReference("aws://prod/db#password"), {
      scheme: "aws",
      id: "prod/db",
      field: "password",
    });
    assert.deepEqual(parseReference("env://DB_PASSWORD"), { scheme: "env", id: "DB_PASSWORD" });
    assert.deepEqual(parseReference("file:///run/secrets/db"), { scheme: "file", id: "/run/secrets/db" });
    assert.deepEqual(parseReference("dotenv://NAME"), { scheme: "dotenv", id: "NAME" });
    assert.deepEqual(parseReference("agent://prod/db#password"), {
      scheme: "agent",
      id: "prod/db",
      field: "password",
    });
  });

  it("treats bare ids and ARNs as ids for the configured sources", () => {
    assert.deepEqual(parseReference("prod/db#password"), { scheme: "", id: "prod/db", field: "password" });
    assert.deepEqual(parseReference("alpha-vantage"), { scheme: "", id: "alpha-vantage" });
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
    assert.deepEqual(parseReference(arn), { scheme: "", id: arn });
    assert.deepEqual(parseReference(`${arn}#user`), { scheme: "", id: arn, field: "user" });
  });

  it("decodes file URLs and normalizes their dot segments", () => {
    assert.equal(parseReference("file:///run/secrets/my%20db").id, "/run/secrets/my db");
    assert.equal(parseReference("file:///run/secrets/../../etc/passwd").id, "/etc/passwd");
  });

  it("rejects unknown schemes, empty ids and empty fields", () => {
    assert.throws(() => parseReference("vault://x"), CofferClientError);
    assert.throws(() => parseReference(""), CofferClientError);
    assert.throws(() => parseReference("coffer://"), CofferClientError);
    assert.throws(() => parseReference("coffer://#field"), CofferClientError);
    assert.throws(() => parseReference("prod/db#"), CofferClientError);
    assert.throws(() => parseReference("file://host/x"), CofferClientError);
  });

  it("round-trips any id and field (property)", () => {
    const part = fc.string({ minLength: 1 }).filter((text) => !text.includes("#"));
    fc.assert(
      fc.property(
        fc.constantFrom("coffer", "aws", "agent", "dotenv", "env"),
        part,
        fc.option(fc.string({ minLength: 1 })),
        (scheme, id, field) => {
          const parsed = parseReference(`${scheme}://${id}${field === null ? "" : `#${field}`}`);
          assert.equal(parsed.scheme, scheme);
          assert.equal(parsed.id, id);
          assert.equal(parsed.field, field ?? undefined);
        },
      ),
    );
  });
});

describe("toTarget", () => {
  it("keys the record by scheme, id and version, not by field", () => {
    const a = toTarget(parseReference("prod/db#user"));
    const b = toTarget(parseReference("prod/db#password"));
    assert.equal(a.key, b.key);
    assert.notEqual(toTarget(parseReference("coffer://prod/db")).key, a.key);
    assert.notEqual(toTarget(parseReference("prod/db"), "v1").key, a.key);
    assert.notEqual(toTarget(parseReference("prod/db"), undefined, "AWSPREVIOUS").key, a.key);
    assert.notEqual(
      toTarget(parseReference("prod/db"), "v1").key,
      toTarget(parseReference("prod/db"), undefined, "v1").key,
    );
  });
});
