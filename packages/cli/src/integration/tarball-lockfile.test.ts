import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Lockfile, type PackedPackage, tarballAppLockfile } from "./tarball-lockfile.js";

const workspace: Lockfile = {
  lockfileVersion: 3,
  packages: {
    "": { name: "coffer", devDependencies: { typescript: "5.9" } },
    "packages/a": { version: "0.1.0", dependencies: { "@x/b": "^0.1.0", left: "^1.0.0", shared: "^2.0.0" } },
    "packages/a/node_modules/shared": { version: "2.0.0", integrity: "sha512-shared2" },
    "packages/b": { version: "0.1.0", dependencies: { shared: "^1.0.0" } },
    "node_modules/@x/a": { resolved: "packages/a", link: true },
    "node_modules/@x/b": { resolved: "packages/b", link: true },
    "node_modules/left": {
      version: "1.2.3",
      integrity: "sha512-left",
      dependencies: { shared: "^1.0.0" },
      optionalDependencies: { "not-for-this-os": "^1.0.0" },
    },
    "node_modules/shared": { version: "1.0.0", integrity: "sha512-shared1", dev: true },
    "node_modules/typescript": { version: "5.9.3", dev: true },
  },
};

const packed = (name: string): PackedPackage => ({
  name,
  version: "0.1.0",
  spec: `file:../packs/${name.replace("@x/", "x-")}-0.1.0.tgz`,
  integrity: `sha512-${name}`,
  manifest: {
    dependencies:
      workspace.packages[name === "@x/a" ? "packages/a" : "packages/b"]?.dependencies ??
      ({} as Record<string, string>),
  },
});

describe("tarballAppLockfile", () => {
  const lock = tarballAppLockfile(workspace, "app", [packed("@x/a"), packed("@x/b")]);

  it("makes the root depend on the tarballs, each pinned by its integrity", () => {
    assert.deepEqual(lock.packages[""], {
      name: "app",
      dependencies: { "@x/a": "file:../packs/x-a-0.1.0.tgz", "@x/b": "file:../packs/x-b-0.1.0.tgz" },
    });
    assert.equal(lock.packages["node_modules/@x/a"]?.resolved, "file:../packs/x-a-0.1.0.tgz");
    assert.equal(lock.packages["node_modules/@x/a"]?.integrity, "sha512-@x/a");
  });

  it("moves a workspace package's nested dependencies under its node_modules folder", () => {
    assert.equal(lock.packages["node_modules/@x/a/node_modules/shared"]?.version, "2.0.0");
    assert.equal(lock.packages["node_modules/shared"]?.version, "1.0.0");
  });

  it("keeps only what the packed packages need, without workspace-only flags", () => {
    assert.deepEqual(Object.keys(lock.packages).sort(), [
      "",
      "node_modules/@x/a",
      "node_modules/@x/a/node_modules/shared",
      "node_modules/@x/b",
      "node_modules/left",
      "node_modules/shared",
    ]);
    assert.equal(lock.packages["node_modules/shared"]?.dev, undefined);
  });

  it("refuses a required dependency the workspace lockfile lacks", () => {
    const broken: Lockfile = {
      ...workspace,
      packages: {
        ...workspace.packages,
        "packages/b": { version: "0.1.0", dependencies: { missing: "^1.0.0" } },
      },
    };
    assert.throws(
      () => tarballAppLockfile(broken, "app", [packed("@x/b")]),
      /missing, needed by packages\/b/,
    );
  });
});
