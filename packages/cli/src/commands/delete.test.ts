import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CliError, UsageError } from "../errors.js";
import { testContext } from "../testing/test-context.js";
import { parseRecoveryDays, runDelete } from "./delete.js";

const deleted = {
  ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf",
  Name: "prod/db",
  DeletionDate: new Date("2024-06-01T00:00:00Z"),
};

describe("coffer delete", () => {
  it("schedules deletion with the service's default window and prints the deletion date", async () => {
    const t = testContext({ respond: () => deleted });
    await runDelete(t.context, "prod/db", {});
    assert.deepEqual(t.sent, [
      {
        name: "DeleteSecretCommand",
        input: {
          SecretId: "prod/db",
          RecoveryWindowInDays: undefined,
          ForceDeleteWithoutRecovery: undefined,
        },
      },
    ]);
    assert.match(t.stdout.text, /^DeletionDate: +2024-06-01T00:00:00Z$/m);
    assert.match(t.stderr.text, /coffer restore prod\/db/);
  });

  it("sends --recovery-days", async () => {
    const t = testContext({ respond: () => deleted });
    await runDelete(t.context, "prod/db", { recoveryDays: "7" });
    assert.equal(t.sent[0]?.input.RecoveryWindowInDays, 7);
  });

  it("rejects recovery days outside 7–30 before sending anything", async () => {
    for (const recoveryDays of ["6", "31", "0", "-7", "7.5", "ten", ""]) {
      const t = testContext({ respond: () => deleted });
      await assert.rejects(runDelete(t.context, "prod/db", { recoveryDays }), (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--recovery-days must be a whole number from 7 to 30/);
        return true;
      });
      assert.equal(t.sent.length, 0);
    }
    assert.equal(parseRecoveryDays("30"), 30);
  });

  it("rejects --force together with --recovery-days", async () => {
    const t = testContext();
    await assert.rejects(
      runDelete(t.context, "x", { force: true, yes: true, recoveryDays: "7" }),
      UsageError,
    );
    assert.equal(t.sent.length, 0);
  });

  it("--force --yes deletes without recovery", async () => {
    const t = testContext({ respond: () => deleted });
    await runDelete(t.context, "prod/db", { force: true, yes: true });
    assert.equal(t.sent[0]?.input.ForceDeleteWithoutRecovery, true);
    assert.match(t.stderr.text, /Deleted prod\/db permanently/);
  });

  it("--force without --yes needs a terminal", async () => {
    const t = testContext({ isTTY: false });
    await assert.rejects(runDelete(t.context, "prod/db", { force: true }), /add --yes/);
    assert.equal(t.sent.length, 0);
  });

  it("--force on a terminal asks for the secret's name", async () => {
    const confirmed = testContext({ respond: () => deleted, isTTY: true, answers: ["prod/db"] });
    await runDelete(confirmed.context, "prod/db", { force: true });
    assert.equal(confirmed.sent.length, 1);
    assert.match(confirmed.prompter.asked[0] ?? "", /Type the secret name to confirm/);

    const refused = testContext({ respond: () => deleted, isTTY: true, answers: ["y"] });
    await assert.rejects(runDelete(refused.context, "prod/db", { force: true }), (error: Error) => {
      assert.ok(error instanceof CliError);
      assert.match(error.message, /nothing was deleted/);
      return true;
    });
    assert.equal(refused.sent.length, 0);
  });
});
