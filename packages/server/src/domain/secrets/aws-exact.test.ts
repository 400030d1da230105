import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

/** The domain rules and messages that must be AWS's own, word for word (issue 10, "AWS-exact answers"). */

const { skip } = requireTestStores();
const scope = { region: "us-east-1" };
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

/** The domain over fresh stores; `close` closes them (the file's end does, should a test fail first). */
async function domain() {
  const opened = await openTestStores();
  const deps: SecretDomainDeps = {
    store: opened.stores.secrets,
    envelope: createEnvelope(
      openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") }),
    ),
    accountId: "123456789012",
    now: () => Date.UTC(2026, 0, 1),
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return { reader: new SecretReader(deps), writer: new SecretWriter(deps), close: () => opened.close() };
}

test("the first value of a secret becomes AWSCURRENT even when PutSecretValue asks only for AWSPENDING", {
  skip,
}, async () => {
  const { reader, writer, close } = await domain();
  await writer.create(scope, { name: "empty" });
  const put = await writer.putValue(scope, { secretId: "empty", value: text("v1"), stages: ["AWSPENDING"] });
  assert.deepEqual(put.stages, ["AWSPENDING", "AWSCURRENT"]);
  const current = await reader.getValue(scope, { secretId: "empty" });
  assert.equal(current.versionId, put.versionId);
  assert.deepEqual([...current.stages].sort(), ["AWSCURRENT", "AWSPENDING"]);
  // Once a version is current, AWSPENDING alone stays pending, as AWS does.
  const next = await writer.putValue(scope, { secretId: "empty", value: text("v2"), stages: ["AWSPENDING"] });
  assert.deepEqual(next.stages, ["AWSPENDING"]);
  assert.equal((await reader.getValue(scope, { secretId: "empty" })).versionId, put.versionId);
  await close();
});

test("property: whatever labels a sequence of PutSecretValue calls asks for, a secret with a version has exactly one AWSCURRENT", {
  skip,
}, async () => {
  const label = fc.constantFrom("AWSCURRENT", "AWSPENDING", "AWSPREVIOUS", "blue", "green");
  const puts = fc.array(fc.uniqueArray(label, { maxLength: 3 }), { minLength: 1, maxLength: 6 });
  await fc.assert(
    fc.asyncProperty(puts, async (sequence) => {
      const { reader, writer, close } = await domain();
      try {
        await writer.create(scope, { name: "s" });
        const made: string[] = [];
        let lastAskedCurrent: string | undefined;
        for (const [i, stages] of sequence.entries()) {
          const put = await writer.putValue(scope, { secretId: "s", value: text(`v${i}`), stages });
          made.push(put.versionId);
          if (stages.includes("AWSCURRENT")) lastAskedCurrent = put.versionId;
        }
        const { versions } = await reader.describe(scope, "s");
        const holders = versions.filter((v) => v.stages.includes("AWSCURRENT")).map((v) => v.versionId);
        assert.equal(holders.length, 1);
        // The last version that asked for AWSCURRENT holds it; if none asked, the first one does.
        assert.equal(holders[0], lastAskedCurrent ?? made[0]);
        assert.equal(versions.length, made.length);
      } finally {
        await close();
      }
    }),
    { numRuns: 60 },
  );
});

test("a ClientRequestToken reused with another value is refused in AWS's words (PutSecretValue, UpdateSecret, CreateSecret)", {
  skip,
}, async () => {
  const { writer, close } = await domain();
  const token = randomUUID();
  const { arn } = await writer.create(scope, { name: "tok", value: text("a"), clientRequestToken: token });
  const clash = {
    name: "ResourceExistsException",
    message: `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${arn}.`,
  };
  await assert.rejects(
    writer.putValue(scope, { secretId: "tok", value: text("b"), clientRequestToken: token }),
    clash,
  );
  await assert.rejects(
    writer.update(scope, { secretId: "tok", value: text("b"), clientRequestToken: token }),
    clash,
  );
  await assert.rejects(
    writer.create(scope, { name: "tok", value: text("b"), clientRequestToken: token }),
    clash,
  );
  // The same value is a retry; another token on an existing name is a name clash.
  assert.equal(
    (await writer.create(scope, { name: "tok", value: text("a"), clientRequestToken: token })).versionId,
    token,
  );
  await assert.rejects(
    writer.create(scope, { name: "tok", value: text("a"), clientRequestToken: randomUUID() }),
    {
      name: "ResourceExistsException",
      message: "The operation failed because the secret tok already exists.",
    },
  );
  await close();
});

test("deletion messages are AWS's", { skip }, async () => {
  const { reader, writer, close } = await domain();
  await writer.create(scope, { name: "gone", value: text("x") });
  await assert.rejects(
    writer.delete(scope, { secretId: "gone", recoveryWindowInDays: 7, forceDeleteWithoutRecovery: true }),
    {
      name: "InvalidParameterException",
      message: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    },
  );
  await writer.delete(scope, { secretId: "gone" });
  const marked = {
    name: "InvalidRequestException",
    message: "You can't perform this operation on the secret because it was marked for deletion.",
  };
  await assert.rejects(reader.getValue(scope, { secretId: "gone" }), marked);
  await assert.rejects(writer.putValue(scope, { secretId: "gone", value: text("y") }), marked);
  await assert.rejects(writer.delete(scope, { secretId: "gone" }), {
    name: "InvalidRequestException",
    message: "You tried to perform the operation on a secret that's currently marked deleted.",
  });
  await assert.rejects(writer.create(scope, { name: "gone", value: text("z") }), {
    name: "InvalidRequestException",
    message:
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
  });
  // In BatchGetSecretValue the same refusal is one entry of Errors, not a failed call.
  const batch = await reader.batchGetValues(scope, { secretIds: ["gone"] });
  assert.equal(batch.values.length, 0);
  assert.equal(batch.errors[0]?.secretId, "gone");
  assert.equal(batch.errors[0]?.error.awsName, "InvalidRequestException");
  assert.equal(batch.errors[0]?.error.message, marked.message);
  await close();
});

test("BatchGetSecretValue argument errors are AWS's", { skip }, async () => {
  const { reader, close } = await domain();
  const either = {
    name: "InvalidParameterException",
    message: "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
  };
  await assert.rejects(reader.batchGetValues(scope, {}), either);
  await assert.rejects(
    reader.batchGetValues(scope, { secretIds: ["a"], filters: [{ Key: "name", Values: ["a"] }] }),
    either,
  );
  await assert.rejects(reader.batchGetValues(scope, { secretIds: ["a"], maxResults: 5 }), {
    name: "InvalidParameterException",
    message: "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
  });
  await assert.rejects(reader.batchGetValues(scope, { secretIds: ["a"], nextToken: "x" }), {
    name: "InvalidParameterException",
    message: "'Filters' not specified. 'Filters' must also be specified when 'NextToken' is provided.",
  });
  await close();
});

test("moving a label held by another version without RemoveFromVersionId is refused in AWS's words", {
  skip,
}, async () => {
  const { writer, close } = await domain();
  const first = await writer.create(scope, { name: "labels", value: text("1") });
  const second = await writer.putValue(scope, { secretId: "labels", value: text("2"), stages: ["blue"] });
  for (const [stage, holder] of [
    ["AWSCURRENT", first.versionId],
    ["blue", second.versionId],
  ] as const) {
    const target = holder === first.versionId ? second.versionId : (first.versionId as string);
    await assert.rejects(
      writer.updateVersionStage(scope, { secretId: "labels", stage, moveToVersionId: target }),
      {
        name: "InvalidParameterException",
        message: `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
      },
    );
  }
  await close();
});

test("a secret with no value yet answers AWS's not-found text, which has no full stop", {
  skip,
}, async () => {
  const { reader, writer, close } = await domain();
  await writer.create(scope, { name: "novalue" });
  await assert.rejects(reader.getValue(scope, { secretId: "novalue" }), {
    name: "ResourceNotFoundException",
    message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  });
  await assert.rejects(reader.getValue(scope, { secretId: "novalue", versionStage: "blue" }), {
    message: "Secrets Manager can't find the specified secret value for staging label: blue",
  });
  await close();
});
