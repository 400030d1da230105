import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CollectingOutput } from "../testing/collecting-output.js";
import { type ChildIo, runChild, type SignalSource } from "./run-child.js";

const SECRET = "CANARY-0123456789-secret";

function node(script: string, env: Record<string, string> = {}) {
  return {
    command: process.execPath,
    args: ["-e", script],
    env: { PATH: process.env.PATH ?? "", SECRET, ...env },
  };
}

/** `mask` null: no masking. */
function io(mask: readonly string[] | null = [SECRET], signals?: SignalSource) {
  const stdout = new CollectingOutput();
  const stderr = new CollectingOutput();
  const messages = new CollectingOutput();
  const childIo: ChildIo = {
    mask: mask ?? undefined,
    stdout,
    stderr,
    messages,
    inherit: ["ignore", "ignore", "ignore"],
  };
  if (signals) childIo.signals = signals;
  return { childIo, stdout, stderr, messages };
}

/** A child that says "ready" once its handlers are in place, then waits. */
const waitsForSignals = `
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => { console.log("got " + s); process.exit(40 + ["SIGINT", "SIGTERM", "SIGHUP"].indexOf(s)); });
  console.log("ready");
  setInterval(() => {}, 1000);
`;

describe("runChild", () => {
  it("exits with the child's exit code", async () => {
    assert.equal(await runChild(node("process.exit(0)"), io().childIo), 0);
    assert.equal(await runChild(node("process.exit(3)"), io().childIo), 3);
    assert.equal(await runChild(node("process.exit(201)"), io().childIo), 201);
  });

  it("exits with 128 + the signal number when a signal killed the child", async () => {
    assert.equal(await runChild(node("process.kill(process.pid, 'SIGKILL')"), io().childIo), 137);
    assert.equal(await runChild(node("process.kill(process.pid, 'SIGTERM')"), io().childIo), 143);
  });

  for (const [signal, code] of [
    ["SIGINT", 40],
    ["SIGTERM", 41],
    ["SIGHUP", 42],
  ] as const) {
    it(`forwards ${signal} to the child, then stops listening`, async () => {
      const signals = new EventEmitter();
      const { childIo, stdout } = io([SECRET], signals);
      const exit = runChild(node(waitsForSignals), childIo);
      await stdout.waitFor("ready");
      signals.emit(signal);
      assert.equal(await exit, code);
      assert.match(stdout.text, new RegExp(`got ${signal}`));
      assert.equal(signals.listenerCount(signal), 0);
    });
  }

  it("reports a forwarded signal that kills the child as 128 + N", async () => {
    const signals = new EventEmitter();
    const { childIo, stdout } = io([SECRET], signals);
    const exit = runChild(node("console.log('ready'); setInterval(() => {}, 1000)"), childIo);
    await stdout.waitFor("ready");
    signals.emit("SIGINT");
    assert.equal(await exit, 130);
  });

  it("gives the child the environment, and no shell", async () => {
    const { childIo, stdout } = io(["never-printed"]);
    const code = await runChild(
      {
        command: process.execPath,
        args: ["-e", "console.log(process.env.A, process.argv[1])", "$HOME;|"],
        env: { A: "x y" },
      },
      childIo,
    );
    assert.equal(code, 0);
    assert.equal(stdout.text, "x y $HOME;|\n");
  });

  it("masks values in stdout and stderr, even when written in pieces", async () => {
    const { childIo, stdout, stderr } = io();
    const script = `
      const v = process.env.SECRET;
      process.stdout.write("value=" + v.slice(0, 7));
      setTimeout(() => { process.stdout.write(v.slice(7) + " end\\n"); console.error("err " + v); }, 50);
    `;
    assert.equal(await runChild(node(script), childIo), 0);
    assert.equal(stdout.text, "value=*** end\n");
    assert.equal(stderr.text, "err ***\n");
  });

  it("keeps large output intact while masking", async () => {
    const { childIo, stdout } = io();
    const script = `
      const line = "x".repeat(1000) + process.env.SECRET + "\\n";
      for (let i = 0; i < 2000; i++) process.stdout.write(line);
    `;
    assert.equal(await runChild(node(script), childIo), 0);
    assert.equal(stdout.text, `${"x".repeat(1000)}***\n`.repeat(2000));
  });

  it("without masking, the child writes straight to the inherited descriptors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-run-"));
    const file = join(dir, "out.txt");
    try {
      const fd = openSync(file, "w");
      try {
        const { childIo, stdout } = io(null);
        childIo.inherit = ["ignore", fd, fd];
        assert.equal(await runChild(node("console.log(process.env.SECRET)"), childIo), 0);
        assert.equal(stdout.text, "");
      } finally {
        closeSync(fd);
      }
      assert.equal(readFileSync(file, "utf8"), `${SECRET}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 127 for a command that does not exist, with a message", async () => {
    const { childIo, messages } = io();
    assert.equal(await runChild({ command: "coffer-no-such-command", args: [], env: {} }, childIo), 127);
    assert.equal(messages.text, "error: command not found: coffer-no-such-command\n");
  });

  it("exits 126 for a file that cannot be executed", async () => {
    const { childIo, messages } = io();
    const dir = mkdtempSync(join(tmpdir(), "coffer-run-"));
    try {
      const file = join(dir, "not-executable");
      closeSync(openSync(file, "w", 0o600));
      assert.equal(await runChild({ command: file, args: [], env: {} }, childIo), 126);
      assert.match(messages.text, /cannot run .*EACCES/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
