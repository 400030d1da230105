import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("./main.js", import.meta.url));

test("coffer --help into a closed pipe (`| head -1`) exits quietly, without an EPIPE crash", async () => {
  const child = spawn(process.execPath, [cli, "--help"], {
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), TMPDIR: tmpdir() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // What `| head -1` does, at its most abrupt: the read end is gone before the CLI writes a byte.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) =>
    child.once("close", (exitCode) => resolve(exitCode)),
  );
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  assert.equal(code, 0, stderr);
});
