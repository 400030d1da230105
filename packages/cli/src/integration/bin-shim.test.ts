// npm links a package's bins when it installs it, before the root `prepare` script builds dist/: a
// bin pointing into dist/ is missing after the first `npm install` of a clone. The bins are committed
// shims that load the built entry point, or say how to build it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "./packed-install.js";

const packagesWithBins = ["packages/cli", "packages/server"];

function bins(folder: string): [string, string][] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, folder, "package.json"), "utf8")) as {
    bin?: Record<string, string>;
  };
  return Object.entries(manifest.bin ?? {});
}

function runNode(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe("the committed bin shims", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coffer-bin-"));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("are what package.json links, outside dist/, executable, with a node shebang", () => {
    const all = packagesWithBins.flatMap((folder) =>
      bins(folder).map(([name, target]) => ({ folder, name, target })),
    );
    assert.deepEqual(
      all.map((b) => b.name),
      ["coffer", "coffer-server"],
    );
    for (const { folder, target } of all) {
      assert.ok(
        !target.replace(/^\.\//, "").startsWith("dist/"),
        `${folder}: ${target} would not exist before the build`,
      );
      const path = join(repoRoot, folder, target);
      accessSync(path, constants.X_OK);
      assert.match(readFileSync(path, "utf8"), /^#!\/usr\/bin\/env node\n/);
    }
  });

  for (const folder of packagesWithBins) {
    for (const [name, target] of bins(folder)) {
      it(`${name}: says how to build when dist/main.js is missing`, async () => {
        const copy = join(dir, `${name}-unbuilt`, "bin", "shim.js");
        await mkdir(join(copy, ".."), { recursive: true });
        await copyFile(join(repoRoot, folder, target), copy);
        const result = await runNode(copy, ["--help"]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /not built yet .*dist\/main\.js is missing.*npm run build/);
      });

      it(`${name}: runs dist/main.js with the arguments it was given`, async () => {
        const root = join(dir, `${name}-built`);
        await mkdir(join(root, "bin"), { recursive: true });
        await mkdir(join(root, "dist"), { recursive: true });
        await writeFile(join(root, "package.json"), '{"type":"module"}\n');
        await copyFile(join(repoRoot, folder, target), join(root, "bin", "shim.js"));
        await writeFile(
          join(root, "dist", "main.js"),
          "console.log(JSON.stringify(process.argv.slice(2)));\n",
        );
        const result = await runNode(join(root, "bin", "shim.js"), ["get", "a b", "--json"]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), ["get", "a b", "--json"]);
      });
    }
  }
});
