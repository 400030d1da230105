import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openLocalAuditApi } from "../app/audit-trail.js";
import { rootlessSkipReason } from "../chaos/chaos-scale.js";
import { adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";

const putSecret = (server: ServerProcess, name: string, value: string) =>
  adminCall(
    server.url,
    "CreateSecret",
    { Name: name, SecretString: value },
    testAdmin,
    "secretsmanager.CreateSecret",
  );
const getSecret = async (server: ServerProcess, name: string) =>
  (
    await adminCall(
      server.url,
      "GetSecretValue",
      { SecretId: name },
      testAdmin,
      "secretsmanager.GetSecretValue",
    )
  ).SecretString;

async function verifyTrail(home: string) {
  const api = await openLocalAuditApi(home);
  try {
    return await api.call("VerifyAuditTrail", {});
  } finally {
    await api.close();
  }
}

async function eventsOf(home: string, name: string) {
  const api = await openLocalAuditApi(home);
  try {
    const page = (await api.call("QueryAuditEvents", {
      EventName: name,
      SortOrder: "asc",
      MaxResults: 100,
    })) as {
      Events: Array<{
        Seq: number;
        Event: { userIdentity: { type: string }; responseElements: Record<string, unknown> };
      }>;
    };
    return page.Events;
  } finally {
    await api.close();
  }
}

describe("start-up refuses an audit trail that lost events since its last run", () => {
  test("a cut journal: refused with a clear message, until the loss is acknowledged and recorded", async () => {
    const first = await startServerProcess({ store: "sqlite" });
    try {
      for (let i = 0; i < 4; i++) await putSecret(first, `s${i}`, `v${i}`);
      await first.stop();
      const journal = join(first.home, "audit.log");
      const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
      writeFileSync(journal, `${lines.slice(0, -2).join("\n")}\n`);
      assert.equal((await verifyTrail(first.home)).Intact, false);

      await assert.rejects(startServerProcess({ store: "sqlite", home: first.home }), (error: Error) => {
        assert.match(error.message, /server exited with 1 before listening/);
        assert.match(
          error.message,
          /coffer: The audit trail does not match its recorded head: .*audit\.log\.head records seq \d+/,
        );
        assert.match(
          error.message,
          /ends at seq \d+: the newest events were removed\. .*--acknowledge-audit-gap/,
        );
        return true;
      });
      // Refusing changed nothing: verify still fails, as it did before the start.
      assert.equal((await verifyTrail(first.home)).Intact, false);

      const acknowledged = await startServerProcess({
        store: "sqlite",
        home: first.home,
        env: { COFFER_ACKNOWLEDGE_AUDIT_GAP: "1" },
      });
      try {
        assert.match(
          acknowledged.output(),
          /warning: audit trail gap acknowledged and recorded as AuditTrailGapAcknowledged/,
        );
        assert.equal(await getSecret(acknowledged, "s3"), "v3");
      } finally {
        await acknowledged.stop();
      }
      const verified = await verifyTrail(first.home);
      assert.equal(verified.Intact, true);
      assert.deepEqual(
        (verified.AcknowledgedGaps as Array<Record<string, unknown>>).map(
          ({ Seq, Gap, RecordedHeadSeq, FoundSeq }) => ({
            Seq,
            Gap,
            RecordedHeadSeq,
            FoundSeq,
          }),
        ),
        [
          {
            Seq: lines.length - 1,
            Gap: "truncated",
            RecordedHeadSeq: lines.length,
            FoundSeq: lines.length - 2,
          },
        ],
      );
      const [gap, ...more] = await eventsOf(first.home, "AuditTrailGapAcknowledged");
      assert.equal(more.length, 0);
      assert.equal(gap?.Seq, lines.length - 2 + 1, "the first event after what remained");
      assert.equal(gap?.Event.userIdentity.type, "LocalOperator");
      assert.equal(gap?.Event.responseElements.gap, "truncated");
      assert.equal(gap?.Event.responseElements.recordedHeadSeq, lines.length);
      assert.equal(gap?.Event.responseElements.foundSeq, lines.length - 2);

      // Once acknowledged, later starts are plain starts.
      const again = await startServerProcess({ store: "sqlite", home: first.home });
      await again.stop();
      assert.equal((await eventsOf(first.home, "AuditTrailGapAcknowledged")).length, 1);
    } finally {
      first.cleanup();
    }
  });

  test("a deleted journal and head beside stored secrets: refused", async () => {
    const first = await startServerProcess({ store: "sqlite" });
    try {
      await putSecret(first, "kept", "value");
      await first.stop();
      for (const file of ["audit.log", "audit.log.head", "audit.db"]) rmSync(join(first.home, file));
      await assert.rejects(
        startServerProcess({ store: "sqlite", home: first.home }),
        /audit\.log and \S+audit\.log\.head are both missing, but the data folder holds secrets/,
      );
    } finally {
      first.cleanup();
    }
  });
});

describe("one server per data folder, by a lock the OS releases", () => {
  test("kill -9 then restart in the same folder starts; a second live server is refused", async () => {
    const first = await startServerProcess({ store: "sqlite" });
    try {
      await putSecret(first, "kept", "value");
      await first.kill();
      const second = await startServerProcess({ store: "sqlite", home: first.home });
      try {
        assert.equal(await getSecret(second, "kept"), "value");
        await assert.rejects(
          startServerProcess({ store: "sqlite", home: first.home }),
          /exited with 1 before listening[\s\S]*being written by another Coffer process; one server per data folder/,
        );
      } finally {
        await second.stop();
      }
    } finally {
      first.cleanup();
    }
  });

  test("as pid 1 of a PID namespace (a container), kill -9 then restart as pid 1 again", {
    skip: rootlessSkipReason(),
  }, async () => {
    const first = await startServerProcess({ store: "sqlite", pidNamespace: true });
    const nsPid = (server: ServerProcess) =>
      /^NSpid:\s+\d+\s+(\d+)$/m.exec(readFileSync(`/proc/${server.pid()}/status`, "utf8"))?.[1];
    try {
      assert.equal(nsPid(first), "1");
      await putSecret(first, "kept", "value");
      await first.kill();
      const second = await startServerProcess({ store: "sqlite", home: first.home, pidNamespace: true });
      try {
        assert.equal(nsPid(second), "1");
        assert.equal(await getSecret(second, "kept"), "value");
      } finally {
        await second.stop();
      }
    } finally {
      first.cleanup();
    }
  });
});
