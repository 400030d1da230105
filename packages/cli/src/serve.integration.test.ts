import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCoffer, startCoffer } from "./testing/coffer-process.js";

// `npm start` is `coffer serve` (package.json), so this covers both.
describe("coffer serve: a first start that cannot serve creates nothing", () => {
  let scratch: string;
  let blocker: Server;
  let port: number;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "coffer-serve-"));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    port = (blocker.address() as { port: number }).port;
  });
  after(() => {
    blocker.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const env = (home: string) => ({
    PATH: process.env.PATH ?? "",
    HOME: scratch,
    COFFER_HOME: home,
    COFFER_HOST: "127.0.0.1",
    COFFER_PORT: String(port),
    COFFER_ACCOUNT_ID: "123456789012",
  });

  test("port taken: one line naming COFFER_PORT and COFFER_HOST, exit 1, no data folder; port freed: the admin key is printed", async () => {
    const home = join(scratch, "data");
    const refused = await runCoffer(["serve"], env(home));
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, "");
    const lines = refused.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0] ?? "", /already in use/);
    assert.match(lines[0] ?? "", /COFFER_PORT/);
    assert.match(lines[0] ?? "", /COFFER_HOST/);
    assert.doesNotMatch(refused.stderr, /\bat .*\.js:\d+/);
    assert.equal(existsSync(home), false, "the data folder must not be created");

    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const server = startCoffer(["serve"], env(home));
    try {
      await server.waitForStdout(/export AWS_SECRET_ACCESS_KEY=\S+/);
      assert.match(server.stdout(), /shown only this once/);
      assert.match(server.stdout(), /export AWS_ACCESS_KEY_ID=AKIA[A-Z2-7]{16}/);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});
