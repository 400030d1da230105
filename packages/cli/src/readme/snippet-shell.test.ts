import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SnippetShell } from "./snippet-shell.js";

let scratch: string;
const shells: SnippetShell[] = [];

before(() => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-snippet-shell-"));
});
after(async () => {
  await Promise.all(shells.map((shell) => shell.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

function shell(name: string): SnippetShell {
  const folder = join(scratch, name);
  mkdirSync(folder);
  const session = new SnippetShell(folder, { PATH: process.env.PATH ?? "", TMPDIR: scratch }, folder);
  shells.push(session);
  return session;
}

describe("SnippetShell", () => {
  it("runs snippets in one session: variables, exports and the folder carry over; output per snippet", async () => {
    const session = shell("carry");
    assert.deepEqual(
      await session.run("PLAIN=one\nexport EXPORTED=two\nmkdir sub && cd sub\necho first\n", 5000),
      {
        status: "ok",
        output: "first\n",
      },
    );
    assert.deepEqual(
      await session.run(
        'echo "$PLAIN $EXPORTED $(basename "$PWD")"; bash -c \'echo "$EXPORTED" >&2\'\n',
        5000,
      ),
      {
        status: "ok",
        output: "one two sub\ntwo\n",
      },
    );
  });

  it("reports a failing command with its exit code and the output so far, and runs nothing after it", async () => {
    const session = shell("fails");
    const outcome = await session.run("echo before\nfalse\necho after\n", 5000);
    assert.deepEqual(outcome, { status: "failed", exitCode: 1, output: "before\n" });
    assert.equal((await session.run("echo more\n", 5000)).status, "failed");
  });

  it("reports a syntax error as a failure with bash's message", async () => {
    const outcome = await shell("syntax").run("if then fi\n", 5000);
    assert.equal(outcome.status, "failed");
    assert.match(outcome.output, /syntax error/);
  });

  it("gives up on a snippet that does not finish, with what it printed", async () => {
    const session = shell("hangs");
    const outcome = await session.run("echo started\nsleep 60\n", 300);
    assert.deepEqual(outcome, { status: "timeout", output: "started\n" });
    await session.stop();
  });

  it("stop ends what a snippet started in the background", async () => {
    const folder = join(scratch, "background");
    const session = shell("background");
    const outcome = await session.run(
      // The fifo makes the snippet wait until the background process is up, without polling.
      `mkfifo ready\n${JSON.stringify(process.execPath)} -e 'console.log(process.pid); setInterval(() => {}, 1000)' > ready &\nread -r pid < ready\necho "$pid" > pid\n`,
      5000,
    );
    assert.equal(outcome.status, "ok", outcome.output);
    const pid = Number(readFileSync(join(folder, "pid"), "utf8"));
    assert.doesNotThrow(() => process.kill(pid, 0));
    await session.stop();
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
  });
});
