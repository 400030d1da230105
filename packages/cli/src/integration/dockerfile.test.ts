// No Docker engine runs where the tests run, so the image is checked by its shape: stages, user,
// volume, port, health check, and that what it copies and runs exists. Its build and install stages
// run `node scripts/pack-app.mjs` and `npm ci` of the app it writes, which the packaging test
// (install-from-tarballs.test.ts) runs outside Docker; its health check runs here against a real server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startServerProcess } from "@coffer/server/testing";
import { envAssignments, execForm, parseDockerfile, type Stage } from "./dockerfile.js";
import { repoRoot } from "./packed-install.js";

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
const runtime = dockerfile.stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const runtimeEnv = Object.assign({}, ...all(runtime, "ENV").map((i) => envAssignments(i.args))) as Record<
  string,
  string
>;

describe("parseDockerfile", () => {
  it("reads stages, global ARGs and continuation lines", () => {
    const parsed = parseDockerfile(
      'ARG V=22\nFROM node:$V AS build\n# note\nRUN a \\\n && b\nFROM scratch\nENV A=1 B="two words"\n',
    );
    assert.deepEqual(parsed.globalArgs, { V: "22" });
    assert.deepEqual(
      parsed.stages.map((s) => [s.name, s.image]),
      [
        ["build", "node:$V"],
        [undefined, "scratch"],
      ],
    );
    assert.equal(parsed.stages[0]?.instructions[0]?.args, "a && b");
    assert.deepEqual(envAssignments(parsed.stages[1]?.instructions[0]?.args ?? ""), {
      A: "1",
      B: "two words",
    });
  });

  it("refuses an instruction before the first FROM other than ARG", () => {
    assert.throws(() => parseDockerfile("RUN x\nFROM scratch\n"), /RUN before the first FROM/);
  });
});

describe("the server's Dockerfile", () => {
  it("is multi-stage and copies only from earlier stages", () => {
    assert.ok(dockerfile.stages.length >= 2, "a build stage and a runtime stage");
    const names = dockerfile.stages.map((s) => s.name);
    dockerfile.stages.forEach((stage, index) => {
      for (const copy of all(stage, "COPY")) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        if (from)
          assert.ok(
            names.slice(0, index).includes(from),
            `line ${copy.line}: --from=${from} is no earlier stage`,
          );
      }
    });
    for (const stage of dockerfile.stages) {
      assert.match(stage.image, /^node:\$\{NODE_VERSION\}-/, "every stage on the same Node image");
    }
    assert.ok(["22", "24"].includes(dockerfile.globalArgs.NODE_VERSION ?? ""), "a tested Node version");
  });

  it("runs as a non-root user, keeps its data on a volume and listens on every interface", () => {
    const users = all(runtime, "USER");
    assert.equal(users.length, 1);
    assert.ok(!["root", "0", "0:0"].includes(users[0]?.args ?? ""), "not root");
    const volumes = all(runtime, "VOLUME").flatMap((v) => execForm(v.args) ?? v.args.split(/\s+/));
    assert.deepEqual(volumes, [runtimeEnv.COFFER_HOME]);
    assert.equal(runtimeEnv.COFFER_HOST, "0.0.0.0");
    const chown = all(runtime, "RUN").some(
      (r) => r.args.includes(`chown ${users[0]?.args}`) && r.args.includes("/data"),
    );
    assert.ok(chown, "the data folder belongs to the user");
  });

  it("exposes the port it listens on and starts `coffer serve` from the installed packages", () => {
    assert.deepEqual(
      all(runtime, "EXPOSE").map((e) => e.args),
      [runtimeEnv.COFFER_PORT],
    );
    const entrypoint = execForm(all(runtime, "ENTRYPOINT")[0]?.args ?? "");
    assert.deepEqual(entrypoint, ["/opt/coffer/node_modules/.bin/coffer"]);
    assert.deepEqual(execForm(all(runtime, "CMD")[0]?.args ?? ""), ["serve"]);
    const cliManifest = JSON.parse(readFileSync(join(repoRoot, "packages", "cli", "package.json"), "utf8"));
    assert.ok(cliManifest.bin?.coffer, "@coffer/cli links a `coffer` bin");
    const copied = all(runtime, "COPY").map((c) => c.args);
    assert.deepEqual(copied, ["--from=install /out/app/node_modules /opt/coffer/node_modules"]);
  });

  it("builds with the scripts and files of this repository", () => {
    const runs = dockerfile.stages.flatMap((s) => all(s, "RUN").map((r) => r.args));
    assert.ok(runs.includes("npm ci && node scripts/pack-app.mjs /out"));
    assert.ok(runs.includes("npm ci --omit=dev"));
    assert.ok(existsSync(join(repoRoot, "scripts", "pack-app.mjs")));
    assert.ok(existsSync(join(repoRoot, "package-lock.json")));
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const needed of [
      "packages",
      "scripts",
      "examples",
      "package.json",
      "package-lock.json",
      "tsconfig.json",
    ]) {
      assert.ok(!ignored.includes(needed), `${needed} reaches the build context`);
    }
    assert.ok(ignored.includes("**/node_modules") && ignored.includes("**/dist"), "built output stays out");
  });

  it("has a health check that passes against a running server and fails without one", async () => {
    const healthcheck = all(runtime, "HEALTHCHECK")[0]?.args ?? "";
    const command = execForm(healthcheck.slice(healthcheck.indexOf("CMD ") + 4));
    assert.ok(command && command[0] === "node", "an exec-form node command (the image has no curl)");
    const server = await startServerProcess();
    try {
      assert.equal(await exitCode(command, String(server.port)), 0);
    } finally {
      await server.stop();
      server.cleanup();
    }
    assert.equal(await exitCode(command, String(await closedPort())), 1);
  });
});

function exitCode(command: string[], port: string): Promise<number> {
  return new Promise((resolve) => {
    const [, ...args] = command;
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, COFFER_PORT: port }, timeout: 10_000 },
      (error) => resolve(error ? (typeof error.code === "number" ? error.code : -1) : 0),
    );
  });
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
