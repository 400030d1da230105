import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { CofferClientError } from "../errors.js";
import { rejectsWithoutLeak } from "../testing/canary.js";
import { FilesBackend, isInside, secretPath } from "./files.js";

/** Lays out a Kubernetes secret volume: keys are symlinks through `..data` to a timestamped folder. */
function kubernetesVolume(root: string, keys: Record<string, string>, stamp: string): void {
  const data = join(root, `..${stamp}`);
  mkdirSync(data, { recursive: true });
  for (const [key, value] of Object.entries(keys)) writeFileSync(join(data, key), value);
  const link = join(root, "..data_tmp");
  symlinkSync(`..${stamp}`, link);
  renameSync(link, join(root, "..data")); // atomic swap, as the kubelet does
  for (const key of Object.keys(keys)) {
    try {
      symlinkSync(join("..data", key), join(root, key));
    } catch {
      // already linked by an earlier layout
    }
  }
}

describe("files source", () => {
  const root = mkdtempSync(join(tmpdir(), "coffer-files-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("reads Docker secrets, dropping one trailing newline", async () => {
    writeFileSync(join(root, "db_password"), "s3cret\n");
    writeFileSync(join(root, "exact"), "two\n\n");
    const files = new FilesBackend(root);
    const record = await files.get({ id: "db_password" });
    assert.equal(record?.string, "s3cret");
    assert.equal(record?.source, "files");
    assert.ok(record?.createdDate instanceof Date);
    assert.equal((await files.get({ id: "exact" }))?.string, "two\n");
    assert.equal(await files.get({ id: "absent" }), undefined);
    assert.equal(await files.get({ id: "db_password/below" }), undefined);
  });

  it("returns non-UTF-8 content as binary, byte for byte", async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x0a, 0xfe]);
    writeFileSync(join(root, "blob"), bytes);
    assert.deepEqual((await new FilesBackend(root).get({ id: "blob" }))?.binary, bytes);
  });

  it("reads a Kubernetes secret volume through its ..data symlinks, as a JSON object, and sees updates", async () => {
    const volume = join(root, "db");
    mkdirSync(volume);
    kubernetesVolume(
      volume,
      { username: "app", password: "pw1\n", ".dockerconfigjson": "{}" },
      "2024_01_01_00_00_00.1",
    );
    const files = new FilesBackend(root);
    assert.deepEqual(JSON.parse((await files.get({ id: "db" }))?.string ?? ""), {
      ".dockerconfigjson": "{}",
      password: "pw1",
      username: "app",
    });
    assert.equal((await files.get({ id: "db/password" }))?.string, "pw1");
    // The whole volume as the files root, the way a pod mounts one secret:
    assert.equal((await new FilesBackend(volume).get({ id: "username" }))?.string, "app");
    await assert.rejects(new FilesBackend(volume).get({ id: "..data/username" }), CofferClientError);

    kubernetesVolume(volume, { username: "app", password: "pw2" }, "2024_01_02_00_00_00.2");
    assert.equal((await files.get({ id: "db/password" }))?.string, "pw2");
  });

  it("refuses a symlink that leads outside the folder", async () => {
    const outside = mkdtempSync(join(tmpdir(), "coffer-outside-"));
    try {
      writeFileSync(join(outside, "target"), "not yours");
      symlinkSync(join(outside, "target"), join(root, "escape"));
      const error = await rejectsWithoutLeak(() => new FilesBackend(root).get({ id: "escape" }), "not yours");
      assert.match(error.message, /leads outside/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("rejects names that could leave the folder", () => {
    for (const name of [
      "",
      "..",
      "../x",
      "a/../../x",
      "/etc/passwd",
      "a\0b",
      "a\\..\\b",
      "a//b",
      "./a",
      "a/.",
      "..data",
    ]) {
      assert.throws(() => secretPath(root, name), CofferClientError, JSON.stringify(name));
    }
    assert.equal(secretPath(root, "a/b.c"), join(resolve(root), "a", "b.c"));
    assert.equal(secretPath(root, ".dockerconfigjson"), join(resolve(root), ".dockerconfigjson"));
  });

  it("never resolves a name outside the folder (property)", () => {
    const segment = fc.oneof(
      fc.constantFrom("..", ".", "", "/", "a", "b.c", "..data", "\0", "\\", "%2e%2e", "~"),
      fc.string({ maxLength: 6 }),
    );
    const name = fc.oneof(
      fc.string(),
      fc.array(segment, { maxLength: 6 }).map((parts) => parts.join("/")),
    );
    const base = resolve(root);
    fc.assert(
      fc.property(name, (candidate) => {
        let path: string;
        try {
          path = secretPath(root, candidate);
        } catch (error) {
          assert.ok(error instanceof CofferClientError);
          return;
        }
        assert.ok(path.startsWith(base + sep), `${JSON.stringify(candidate)} → ${path}`);
        assert.ok(isInside(base, path));
        assert.ok(!candidate.split("/").includes(".."));
      }),
      { numRuns: 5000 },
    );
  });

  it("only answers for the current version", async () => {
    writeFileSync(join(root, "v"), "x");
    assert.equal(await new FilesBackend(root).get({ id: "v", versionId: "1" }), undefined);
  });
});
