import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startServerProcess } from "@coffer/server/testing";
import { runCoffer } from "./testing/coffer-process.js";

function credentialsFrom(text: string): { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string } {
  const id = /export AWS_ACCESS_KEY_ID=(\S+)/.exec(text)?.[1];
  const secret = /export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text)?.[1];
  assert.ok(id && secret, `no credentials in:\n${text}`);
  return { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret };
}

describe("locked out, then `coffer admin recover` with the data folder and master key", () => {
  let scratch: string;
  let home: string;
  let server: ServerProcess | undefined;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "coffer-recover-"));
    home = join(scratch, "data");
  });
  after(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const coffer = (args: string[], credentials: Record<string, string> = {}) =>
    runCoffer(args, {
      PATH: process.env.PATH ?? "",
      HOME: scratch,
      COFFER_HOME: home,
      ...(server ? { ...server.clientEnv, ...credentials } : {}),
    });

  test("the guard refuses a lockout unless forced; recovery mints an audited key that works after a restart", async () => {
    server = await startServerProcess({ home, configuredAdmin: false });
    const first = credentialsFrom(server.output());
    const second = credentialsFrom((await coffer(["admin", "key", "create", "admin"], first)).stdout);

    // The key a request is signed with is protected even while another admin key exists.
    const own = await coffer(["admin", "key", "disable", first.AWS_ACCESS_KEY_ID], first);
    assert.equal(own.code, 5, own.stderr);
    assert.match(
      own.stderr,
      /InvalidRequestException: Refusing to disable access key .*signed with that key/,
    );
    assert.match(own.stderr, /--force/);
    // Another admin key may go while one remains…
    const other = await coffer(["admin", "key", "disable", second.AWS_ACCESS_KEY_ID], first);
    assert.equal(other.code, 0, other.stderr);
    // …but not the last one, even asked by a user allowed to delete keys (who cannot administer).
    await coffer(["admin", "user", "create", "helpdesk"], first);
    const policyFile = join(scratch, "helpdesk.json");
    writeFileSync(
      policyFile,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["coffer:UpdateAccessKey", "coffer:DeleteAccessKey"], Resource: "*" },
        ],
      }),
    );
    assert.equal(
      (await coffer(["admin", "policy", "put", "helpdesk", "keys", "--file", policyFile], first)).code,
      0,
    );
    const helpdesk = credentialsFrom((await coffer(["admin", "key", "create", "helpdesk"], first)).stdout);
    const last = await coffer(["admin", "key", "delete", first.AWS_ACCESS_KEY_ID], helpdesk);
    assert.equal(last.code, 5, last.stderr);
    assert.match(
      last.stderr,
      /InvalidRequestException: Refusing to delete access key .*no active access key could then/,
    );
    assert.match(last.stderr, /coffer admin recover/);
    const lastDisable = await coffer(["admin", "key", "disable", first.AWS_ACCESS_KEY_ID], helpdesk);
    assert.equal(lastDisable.code, 5, lastDisable.stderr);
    // Taking the admin's policy away, or the admin user itself, is guarded the same way, with the
    // command's own --force named.
    const policyGone = await coffer(["admin", "policy", "delete", "admin", "AdministratorAccess"], first);
    assert.equal(policyGone.code, 5, policyGone.stderr);
    assert.match(
      policyGone.stderr,
      /no active access key could then administer.*coffer admin policy delete --force/,
    );
    const selfDelete = await coffer(["admin", "user", "delete", "admin"], first);
    assert.equal(selfDelete.code, 5, selfDelete.stderr);
    assert.match(selfDelete.stderr, /calling as that user.*coffer admin user delete --force/);
    assert.equal(
      (await coffer(["admin", "user", "list"], first)).code,
      0,
      "the refused changes changed nothing",
    );

    // Forced: locked out.
    const forced = await coffer(["admin", "key", "delete", first.AWS_ACCESS_KEY_ID, "--force"], first);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await coffer(["admin", "user", "list"], first)).code, 3);
    assert.equal((await coffer(["admin", "user", "list"], second)).code, 3);
    assert.equal((await coffer(["admin", "key", "list", "admin"], helpdesk)).code, 3);

    // Not beside a running server.
    const busy = await coffer(["admin", "recover"]);
    assert.notEqual(busy.code, 0);
    assert.equal(busy.stdout, "");
    assert.match(busy.stderr, /A Coffer server is using .*Stop it/);

    await server.stop();
    server = undefined;
    const recovered = await coffer(["admin", "recover"]);
    assert.equal(recovered.code, 0, recovered.stderr);
    assert.match(recovered.stderr, /shown only this once/);
    const fresh = credentialsFrom(recovered.stdout);

    server = await startServerProcess({ home, configuredAdmin: false });
    assert.match(server.output(), /coffer admin recover/, "the restart banner names the way back");
    const users = await coffer(["admin", "user", "list"], fresh);
    assert.equal(users.code, 0, users.stderr);
    assert.match(users.stdout, /helpdesk/);
    assert.equal((await coffer(["put", "after-recovery", "k=v", "--quiet"], fresh)).code, 0);

    const verified = await coffer(["audit", "verify"], fresh);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /audit trail intact/);
    const events = await coffer(["audit", "query", "--action", "RecoverAdminAccess", "--json"], fresh);
    assert.equal(events.code, 0, events.stderr);
    const lines = events.stdout.trim().split("\n");
    assert.equal(lines.length, 1, events.stdout);
    const event = JSON.parse(lines[0] ?? "{}");
    assert.equal(event.eventName, "RecoverAdminAccess");
    assert.equal(event.userIdentity.type, "LocalOperator");
    assert.equal(event.userIdentity.userName, userInfo().username);
    assert.equal(event.responseElements.accessKeyId, fresh.AWS_ACCESS_KEY_ID);
    assert.doesNotMatch(events.stdout, new RegExp(fresh.AWS_SECRET_ACCESS_KEY.replace(/[+]/g, "\\+")));
  });
});
