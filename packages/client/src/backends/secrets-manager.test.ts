import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AccessDeniedError, BackendUnavailableError, CofferClientError } from "../errors.js";
import { canary, renderError } from "../testing/canary.js";
import { arnOf, FakeSdk, sdkError } from "../testing/fake-sdk.js";
import { classifySdkError, SecretsManagerBackend } from "./secrets-manager.js";

function backend(sdk: FakeSdk, kind: "coffer" | "aws" = "coffer") {
  return new SecretsManagerBackend({ kind, client: sdk.asClient() });
}

describe("secrets-manager source (coffer and aws)", () => {
  it("maps GetSecretValue to a record, passing version options", async () => {
    const sdk = new FakeSdk();
    sdk.put("prod/db", '{"password":"p"}', "v9");
    sdk.put("blob", new Uint8Array([1, 2]));
    const coffer = backend(sdk);
    const record = await coffer.get({ id: "prod/db", versionStage: "AWSCURRENT" });
    assert.deepEqual(record, {
      id: "prod/db",
      source: "coffer",
      name: "prod/db",
      arn: arnOf("prod/db"),
      versionId: "v9",
      versionStages: ["AWSCURRENT"],
      createdDate: new Date(1_700_000_000_000),
      string: '{"password":"p"}',
    });
    assert.deepEqual(sdk.sent[0]?.input, {
      SecretId: "prod/db",
      VersionId: undefined,
      VersionStage: "AWSCURRENT",
    });
    assert.deepEqual((await backend(sdk, "aws").get({ id: "blob" }))?.binary, new Uint8Array([1, 2]));
    assert.equal((await backend(sdk, "aws").get({ id: "blob" }))?.source, "aws");
  });

  it("reads ResourceNotFoundException as 'not here'", async () => {
    assert.equal(await backend(new FakeSdk()).get({ id: "missing" }), undefined);
  });

  it("classifies SDK failures", () => {
    const cases: Array<[Error, unknown]> = [
      [sdkError("AccessDeniedException", { status: 400 }), AccessDeniedError],
      [sdkError("UnrecognizedClientException", { status: 400 }), AccessDeniedError],
      [sdkError("CredentialsProviderError"), AccessDeniedError],
      [sdkError("Whatever", { status: 403 }), AccessDeniedError],
      [sdkError("InternalServiceError", { status: 500 }), BackendUnavailableError],
      [sdkError("ThrottlingException", { status: 400 }), BackendUnavailableError],
      [sdkError("Error", { code: "ECONNREFUSED" }), BackendUnavailableError],
      [sdkError("TimeoutError"), BackendUnavailableError],
      [sdkError("InvalidRequestException", { status: 400 }), CofferClientError],
    ];
    for (const [error, expected] of cases) {
      const classified = classifySdkError("coffer", error, "x");
      assert.ok(
        classified instanceof (expected as typeof CofferClientError),
        `${error.name} → ${classified?.name}`,
      );
    }
    assert.equal(classifySdkError("coffer", sdkError("ResourceNotFoundException"), "x"), undefined);
  });

  it("throws the classified error, never a value", async () => {
    const sdk = new FakeSdk();
    sdk.failGet = sdkError("Error", { code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:7373" });
    await assert.rejects(backend(sdk).get({ id: "x" }), BackendUnavailableError);
  });

  it("reads many through BatchGetSecretValue, 20 ids per call, by name or ARN", async () => {
    const sdk = new FakeSdk();
    const ids = Array.from({ length: 45 }, (_, i) => `s${i}`);
    for (const id of ids) sdk.put(id, `value-${id}`);
    const answers = await backend(sdk).getMany([...ids, arnOf("s1"), "missing"]);
    assert.equal(sdk.count("BatchGetSecretValue"), 3);
    assert.equal(sdk.count("GetSecretValue"), 0);
    assert.equal((answers.get("s44") as { string: string }).string, "value-s44");
    assert.equal((answers.get(arnOf("s1")) as { string: string }).string, "value-s1");
    assert.equal(answers.get("missing"), undefined);
    assert.ok(answers.has("missing"));
  });

  it("falls back to GetSecretValue per item for ids the batch did not answer", async () => {
    const sdk = new FakeSdk();
    sdk.put("a", "A");
    sdk.put("b", "B");
    sdk.batchItemErrors.set("b", "DecryptionFailure");
    const answers = await backend(sdk).getMany(["a", "b"]);
    assert.equal((answers.get("b") as { string: string }).string, "B");
    assert.equal(sdk.count("GetSecretValue"), 1);
  });

  it("falls back per item when the batch call itself is refused, but not when the server is down", async () => {
    const sdk = new FakeSdk();
    sdk.put("a", "A");
    sdk.failBatch = sdkError("AccessDeniedException", { status: 400 });
    const answers = await backend(sdk).getMany(["a", "nope"]);
    assert.equal((answers.get("a") as { string: string }).string, "A");
    assert.equal(answers.get("nope"), undefined);
    assert.equal(sdk.count("GetSecretValue"), 2);

    const down = new FakeSdk();
    down.failBatch = sdkError("Error", { code: "ECONNREFUSED" });
    const failed = await backend(down).getMany(["a", "b"]);
    assert.ok(failed.get("a") instanceof BackendUnavailableError);
    assert.equal(down.count("GetSecretValue"), 0);
  });

  it("keeps values out of records' error paths", async () => {
    const value = canary();
    const sdk = new FakeSdk();
    sdk.put("x", value);
    sdk.failBatch = sdkError("InternalServiceError", { status: 500 });
    const failed = await backend(sdk).getMany(["x"]);
    assert.ok(!renderError(failed.get("x")).includes(value));
  });
});
