import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tryExclusiveLock } from "../os/exclusive-lock.js";
import { writeFileAtomically } from "./atomicFile.js";
import { keyIdOf } from "./keyMaterial.js";
import { openKeyring, retireKeys, rotateKeyringFile } from "./keyring.js";

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A data folder that does not exist yet, inside a fresh temp dir removed after the run. */
function newHome(): string {
  const root = mkdtempSync(join(tmpdir(), "coffer-keyring-"));
  roots.push(root);
  return join(root, "data");
}

const keyringFile = (home: string) => join(home, "master.keys");

describe("file keyring", () => {
  it("creates the keyring file 0600 inside a 0700 folder on first start", () => {
    const home = newHome();
    const keyring = openKeyring({ home });

    assert.equal(keyring.createdNewKey, true);
    assert.equal(keyring.source, "file");
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(keyringFile(home)).mode & 0o777, 0o600);

    const document = JSON.parse(readFileSync(keyringFile(home), "utf8"));
    assert.equal(document.version, 1);
    assert.equal(document.keys.length, 1);
    const [entry] = document.keys;
    assert.equal(document.active, entry.id);
    assert.equal(Buffer.from(entry.key, "base64").length, 32);
    assert.ok(!Number.isNaN(Date.parse(entry.createdAt)));
    assert.match(entry.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(keyring.active(), { id: entry.id, key: Buffer.from(entry.key, "base64") });
  });

  it("reuses the existing key on a second open", () => {
    const home = newHome();
    const first = openKeyring({ home });
    const second = openKeyring({ home });

    assert.equal(second.createdNewKey, false);
    assert.deepEqual(second.active(), first.active());
  });

  it("leaves no temporary files behind", () => {
    const home = newHome();
    openKeyring({ home });
    rotateKeyringFile(home);
    // The lock file stays, unlocked: removing it could let two rotations lock two different files.
    assert.deepEqual(readdirSync(home).sort(), ["master.keys", "master.keys.lock"]);
  });

  it("rotation adds an active key and keeps the old one", () => {
    const home = newHome();
    const keyring = openKeyring({ home });
    const oldKey = keyring.active();

    const { previousId, newId } = rotateKeyringFile(home);
    assert.equal(previousId, oldKey.id);
    assert.notEqual(newId, previousId);
    assert.equal(statSync(keyringFile(home)).mode & 0o777, 0o600);

    keyring.reload();
    assert.equal(keyring.active().id, newId);
    assert.deepEqual(keyring.get(previousId), oldKey.key);
    assert.equal(keyIdOf(keyring.active().key), newId);
  });

  it("active() notices another process's rotation only after the check interval", () => {
    const home = newHome();
    const eager = openKeyring({ home, fileCheckIntervalMs: 0 });
    const lazy = openKeyring({ home, fileCheckIntervalMs: 60_000 });
    const before = eager.active().id;

    const { newId } = rotateKeyringFile(home);

    assert.equal(eager.active().id, newId);
    assert.equal(lazy.active().id, before);
  });

  it("retireKeys removes unreferenced keys but always keeps the active one", () => {
    const home = newHome();
    const keyring = openKeyring({ home });
    const a = keyring.active().id;
    const { newId: b } = rotateKeyringFile(home);
    const { newId: c } = rotateKeyringFile(home);

    assert.deepEqual(retireKeys(home, [b]), { removedIds: [a] });
    keyring.reload();
    assert.equal(keyring.get(a), undefined);
    assert.ok(keyring.get(b));

    assert.deepEqual(retireKeys(home, []), { removedIds: [b] });
    keyring.reload();
    assert.equal(keyring.active().id, c);
    assert.deepEqual(retireKeys(home, []), { removedIds: [] });
  });

  it("rotation needs an existing keyring file", () => {
    const home = newHome();
    assert.throws(() => rotateKeyringFile(home), /No keyring file at .*Start the server once/);
  });

  it("refuses to rotate while another change holds the lock", () => {
    const home = newHome();
    const keyring = openKeyring({ home });
    const release = tryExclusiveLock(`${keyringFile(home)}.lock`);
    assert.ok(release);
    try {
      assert.throws(() => rotateKeyringFile(home), /Another keyring change is in progress/);
    } finally {
      release();
    }
    keyring.reload();
    assert.equal(JSON.parse(readFileSync(keyringFile(home), "utf8")).keys.length, 1);
  });

  it("a lock file left by a killed rotation does not block the next one", () => {
    const home = newHome();
    openKeyring({ home });
    // What a rotation killed with kill -9 leaves: the lock file, with nobody holding it.
    writeFileSync(`${keyringFile(home)}.lock`, "");
    rotateKeyringFile(home);
    assert.equal(JSON.parse(readFileSync(keyringFile(home), "utf8")).keys.length, 2);
  });

  it("rejects a corrupted keyring file without printing key material", () => {
    const home = newHome();
    openKeyring({ home });
    const document = JSON.parse(readFileSync(keyringFile(home), "utf8"));
    const realKey: string = document.keys[0].key;
    document.keys[0].key = randomBytes(32).toString("base64");
    writeFileSync(keyringFile(home), JSON.stringify(document));

    assert.throws(
      () => openKeyring({ home }),
      (error: Error) =>
        /is invalid: keys\[0\] does not match its id/.test(error.message) &&
        !error.message.includes(realKey) &&
        !error.message.includes(document.keys[0].key),
    );
  });

  it("rejects a file that is not JSON or names a missing active key", () => {
    const home = newHome();
    openKeyring({ home });
    const document = JSON.parse(readFileSync(keyringFile(home), "utf8"));

    writeFileSync(keyringFile(home), JSON.stringify({ ...document, active: "0000000000000000" }));
    assert.throws(() => openKeyring({ home }), /active key 0000000000000000 is not among "keys"/);

    writeFileSync(keyringFile(home), "{not json");
    assert.throws(() => openKeyring({ home }), /is not valid JSON/);
  });

  it("atomic create-if-absent never overwrites a file another process created first", () => {
    const home = newHome();
    openKeyring({ home });
    const original = readFileSync(keyringFile(home), "utf8");

    assert.equal(writeFileAtomically(keyringFile(home), "other", { onlyIfAbsent: true }), false);
    assert.equal(readFileSync(keyringFile(home), "utf8"), original);
    assert.deepEqual(readdirSync(home), ["master.keys"]);
  });
});

describe("environment keyring", () => {
  const key = randomBytes(32);
  const previous = randomBytes(32);

  it("uses the supplied key and creates no file", () => {
    const home = newHome();
    const keyring = openKeyring({ home, masterKeyBase64: key.toString("base64") });

    assert.equal(keyring.createdNewKey, false);
    assert.equal(keyring.source, "environment");
    assert.deepEqual(keyring.active(), { id: keyIdOf(key), key });
    assert.equal(existsSync(home), false);
    keyring.reload();
    assert.equal(existsSync(keyringFile(home)), false);
  });

  it("accepts previous keys for unwrapping only", () => {
    const keyring = openKeyring({
      home: newHome(),
      masterKeyBase64: key.toString("base64"),
      previousKeysBase64: [` ${previous.toString("base64url")}\n`, ""],
    });
    assert.equal(keyring.active().id, keyIdOf(key));
    assert.deepEqual(keyring.get(keyIdOf(previous)), previous);
  });

  const invalidKeys: Array<[string, string]> = [
    ["too short", randomBytes(16).toString("base64")],
    ["too long", randomBytes(33).toString("base64")],
    ["not base64", `${randomBytes(32).toString("base64").slice(0, 40)}!@#$`],
    ["hex instead of base64", randomBytes(32).toString("hex")],
    ["empty", ""],
  ];
  for (const [label, bad] of invalidKeys) {
    it(`rejects a master key that is ${label}, without echoing it`, () => {
      assert.throws(
        () => openKeyring({ home: newHome(), masterKeyBase64: bad }),
        (error: Error) =>
          error.message.startsWith("COFFER_MASTER_KEY ") &&
          error.message.includes("openssl rand -base64 32") &&
          (bad === "" || !error.message.includes(bad)),
      );
    });
  }

  it("names the bad entry of the previous keys", () => {
    const bad = randomBytes(20).toString("base64");
    assert.throws(
      () =>
        openKeyring({
          home: newHome(),
          masterKeyBase64: key.toString("base64"),
          previousKeysBase64: [previous.toString("base64"), bad],
        }),
      (error: Error) =>
        error.message.includes("COFFER_MASTER_KEYS_PREVIOUS entry 2") && !error.message.includes(bad),
    );
  });

  it("refuses previous keys without a current key", () => {
    assert.throws(
      () => openKeyring({ home: newHome(), previousKeysBase64: [previous.toString("base64")] }),
      /COFFER_MASTER_KEYS_PREVIOUS is set but COFFER_MASTER_KEY is not/,
    );
  });
});
