import assert from "node:assert/strict";
import { test } from "node:test";
import { idempotencyTokenMembers } from "./idempotency-tokens.js";
import { loadAdminModel, loadServiceModel } from "./model.js";

test("the Secrets Manager model's idempotency tokens are the ClientRequestTokens of the writes that make versions", () => {
  const tokens = idempotencyTokenMembers(loadServiceModel());
  assert.deepEqual(tokens.get("CreateSecret"), ["ClientRequestToken"]);
  assert.deepEqual(tokens.get("PutSecretValue"), ["ClientRequestToken"]);
  assert.deepEqual(tokens.get("UpdateSecret"), ["ClientRequestToken"]);
  assert.equal(tokens.get("GetSecretValue"), undefined);
});

test("the admin model has no idempotency tokens", () => {
  assert.equal(idempotencyTokenMembers(loadAdminModel()).size, 0);
});
