import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDataFolder } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const child = fileURLToPath(new URL("./kill-child.test-helper.js", import.meta.url));

describe("durability", () => {
  it("keeps every acknowledged event when the writer is killed with SIGKILL", async () => {
    const dir = tempDataFolder();
    const proc = spawn(process.execPath, [child, dir], { stdio: ["ignore", "pipe", "inherit"] });
    const committed: string[] = [];
    let buffered = "";
    await new Promise<void>((resolve, reject) => {
      proc.on("error", reject);
      proc.on("exit", (code, signal) => {
        if (signal !== "SIGKILL") reject(new Error(`child exited early (${code ?? signal})`));
      });
      proc.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) if (line.startsWith("committed ")) committed.push(line.slice(10));
        if (committed.length >= 500 && !proc.killed) {
          proc.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((resolve) =>
      proc.exitCode !== null || proc.signalCode !== null ? resolve(undefined) : proc.once("exit", resolve),
    );

    const store = SqliteAuditStore.inDataFolder(dir);
    const stored = new Set<string>();
    for (let from = 1; ; ) {
      const page = await store.readFrom(from, 1000);
      for (const event of page) stored.add(event.event.eventID);
      if (page.length < 1000) break;
      from = (page.at(-1)?.seq ?? 0) + 1;
    }
    const lost = committed.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${committed.length} acknowledged events were lost`);
    const result = await store.verify();
    assert.equal(result.ok, true, JSON.stringify(result));
    await store.close();
  });

  it("lets several processes start on a fresh folder at once and extend one chain", async () => {
    const dir = tempDataFolder();
    const fixtures = new URL("./fixtures.test-helper.js", import.meta.url).href;
    const script = `
      const { openTrail, sampleEvent } = await import(${JSON.stringify(fixtures)});
      const { log } = openTrail(process.argv[1], { busyTimeoutMs: 5000 });
      for (let i = 0; i < 5; i++) await log.append(sampleEvent(Number(process.argv[2]) * 100 + i));
      await log.close();
    `;
    const exits = await Promise.all(
      [1, 2, 3, 4].map(
        (n) =>
          new Promise<number | null>((resolve) => {
            const proc = spawn(process.execPath, ["--input-type=module", "-e", script, dir, String(n)], {
              stdio: ["ignore", "inherit", "inherit"],
            });
            proc.on("exit", (code) => resolve(code));
          }),
      ),
    );
    assert.deepEqual(exits, [0, 0, 0, 0]);
    const store = SqliteAuditStore.inDataFolder(dir);
    assert.deepEqual(await store.verify(), { ok: true, count: 20, head: await store.head() });
    await store.close();
  });
});
