import * as assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { DecryptionFailure, EncryptionFailure, InternalServiceError } from "../errors/catalog.js";
import { createEnvelope, type SealedValue } from "./envelope.js";
import { type Keyring, openKeyring, retireKeys, rotateKeyringFile } from "./keyring.js";

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function newHome(): string {
  const root = mkdtempSync(join(tmpdir(), "coffer-envelope-"));
  roots.push(root);
  return join(root, "data");
}

function envKeyring(...previous: Buffer[]): Keyring {
  return openKeyring({
    home: newHome(),
    masterKeyBase64: randomBytes(32).toString("base64"),
    previousKeysBase64: previous.map((k) => k.toString("base64")),
  });
}

const CONTEXT = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf\nversion-1";
const OTHER_CONTEXT = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf\nversion-2";

const flipBit = (buffer: Buffer, index: number, bit: number): Buffer => {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ (1 << bit);
  return copy;
};

const isDecryptionFailure = (error: unknown): boolean =>
  error instanceof DecryptionFailure && error.awsName === "DecryptionFailure";

describe("envelope round trip", () => {
  it("opens what it sealed, for any bytes and context, with and without the cache", () => {
    const keyring = envKeyring();
    const cached = createEnvelope(keyring);
    const uncached = createEnvelope(keyring, { dataKeyCacheSize: 0 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.string({ unit: "binary" }), (bytes, context) => {
        const plaintext = Buffer.from(bytes);
        const sealed = cached.seal(plaintext, context);
        assert.deepEqual(cached.open(sealed, context), plaintext);
        assert.deepEqual(uncached.open(sealed, context), plaintext);
      }),
    );
  });

  it("uses a fresh data key and IV every time", () => {
    const envelope = createEnvelope(envKeyring());
    const a = envelope.seal(Buffer.from("same"), CONTEXT);
    const b = envelope.seal(Buffer.from("same"), CONTEXT);
    assert.notDeepEqual(a.ciphertext, b.ciphertext);
    assert.notDeepEqual(a.wrappedKey, b.wrappedKey);
  });

  it("packs version byte + 12-byte IV + 16-byte tag + data", () => {
    const keyring = envKeyring();
    const sealed = createEnvelope(keyring).seal(Buffer.alloc(100), CONTEXT);
    assert.equal(sealed.kekId, keyring.active().id);
    assert.equal(sealed.ciphertext[0], 1);
    assert.equal(sealed.ciphertext.length, 1 + 12 + 16 + 100);
    assert.equal(sealed.wrappedKey[0], 1);
    assert.equal(sealed.wrappedKey.length, 1 + 12 + 16 + 32);
  });
});

describe("envelope rejects tampering", () => {
  const keyring = envKeyring();
  const writer = createEnvelope(keyring);
  // A cold reader proves the wrapped key is checked; the warm writer proves the cache cannot bypass checks.
  const readers = { cold: () => createEnvelope(keyring, { dataKeyCacheSize: 0 }), warm: () => writer };

  for (const [name, reader] of Object.entries(readers)) {
    it(`any flipped bit in the ciphertext or wrapped key fails (${name} cache)`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 256 }),
          fc.constantFrom<"ciphertext" | "wrappedKey">("ciphertext", "wrappedKey"),
          fc.nat(),
          fc.integer({ min: 0, max: 7 }),
          (bytes, field, position, bit) => {
            const sealed = writer.seal(Buffer.from(bytes), CONTEXT);
            const tampered = {
              ...sealed,
              [field]: flipBit(sealed[field], position % sealed[field].length, bit),
            };
            assert.throws(() => reader().open(tampered, CONTEXT), isDecryptionFailure);
          },
        ),
      );
    });

    it(`a swapped context or swapped rows fail (${name} cache)`, () => {
      const one = writer.seal(Buffer.from("first secret"), CONTEXT);
      const two = writer.seal(Buffer.from("second secret"), OTHER_CONTEXT);
      const open = (sealed: SealedValue, context: string) => reader().open(sealed, context);

      assert.throws(() => open(one, OTHER_CONTEXT), isDecryptionFailure);
      assert.throws(() => open(two, CONTEXT), isDecryptionFailure);
      assert.throws(() => open({ ...one, ciphertext: two.ciphertext }, CONTEXT), isDecryptionFailure);
      assert.throws(() => open({ ...one, ciphertext: two.ciphertext }, OTHER_CONTEXT), isDecryptionFailure);
      assert.throws(() => open({ ...one, wrappedKey: two.wrappedKey }, CONTEXT), isDecryptionFailure);
      assert.throws(() => open({ ...one, wrappedKey: two.wrappedKey }, OTHER_CONTEXT), isDecryptionFailure);
    });
  }

  it("truncated buffers and unknown format versions fail", () => {
    const sealed = writer.seal(Buffer.from("value"), CONTEXT);
    const reader = createEnvelope(keyring, { dataKeyCacheSize: 0 });
    for (const cut of [0, 1, 13, 29]) {
      assert.throws(() =>
        reader.open({ ...sealed, wrappedKey: sealed.wrappedKey.subarray(0, cut) }, CONTEXT),
      );
      assert.throws(
        () => writer.open({ ...sealed, ciphertext: sealed.ciphertext.subarray(0, cut) }, CONTEXT),
        isDecryptionFailure,
      );
    }
    const version2 = Buffer.from(sealed.ciphertext);
    version2[0] = 2;
    assert.throws(() => writer.open({ ...sealed, ciphertext: version2 }, CONTEXT), isDecryptionFailure);
  });

  it("a wrapped key relabelled with another KEK's id fails", () => {
    const older = randomBytes(32);
    const twoKeys = envKeyring(older);
    const olderId = openKeyring({ home: newHome(), masterKeyBase64: older.toString("base64") }).active().id;
    const sealed = createEnvelope(twoKeys).seal(Buffer.from("value"), CONTEXT);
    assert.throws(
      () => createEnvelope(twoKeys, { dataKeyCacheSize: 0 }).open({ ...sealed, kekId: olderId }, CONTEXT),
      isDecryptionFailure,
    );
  });

  it("an unknown KEK id fails with DecryptionFailure naming only the key id", () => {
    const sealed = writer.seal(Buffer.from("value"), CONTEXT);
    assert.throws(
      () => writer.open({ ...sealed, kekId: "0123456789abcdef" }, CONTEXT),
      (error: Error) =>
        isDecryptionFailure(error) &&
        error.message ===
          "Secrets Manager can't decrypt the protected secret text using the provided KMS key. " +
            "The master key (key 0123456789abcdef) is not in the keyring.",
    );
  });
});

describe("envelope with key rotation", () => {
  it("keeps old values readable, rewraps them to the new key, and drops retired keys", () => {
    const home = newHome();
    const keyring = openKeyring({ home });
    const envelope = createEnvelope(keyring);
    const keyA = keyring.active().id;
    const plaintext = Buffer.from("rotate me");
    const rewrapMe = envelope.seal(plaintext, CONTEXT);
    const leaveMe = envelope.seal(plaintext, OTHER_CONTEXT);

    const { newId: keyB } = rotateKeyringFile(home);
    keyring.reload();
    assert.deepEqual(envelope.open(rewrapMe, CONTEXT), plaintext);

    const rewrapped = envelope.rewrap(rewrapMe, CONTEXT);
    assert.equal(rewrapped.kekId, keyB);
    assert.deepEqual(rewrapped.ciphertext, rewrapMe.ciphertext);
    assert.notDeepEqual(rewrapped.wrappedKey, rewrapMe.wrappedKey);
    assert.deepEqual(createEnvelope(keyring, { dataKeyCacheSize: 0 }).open(rewrapped, CONTEXT), plaintext);
    assert.throws(() => envelope.rewrap(rewrapMe, OTHER_CONTEXT), isDecryptionFailure);

    assert.deepEqual(retireKeys(home, [keyB]), { removedIds: [keyA] });
    keyring.reload();
    // Same envelope on purpose: its cache holds both data keys, and must not keep key A alive.
    assert.deepEqual(envelope.open(rewrapped, CONTEXT), plaintext);
    assert.throws(() => envelope.open(leaveMe, OTHER_CONTEXT), isDecryptionFailure);
    assert.throws(() => envelope.open(rewrapMe, CONTEXT), isDecryptionFailure);
  });

  it("rewrap under the active key returns an equal copy", () => {
    const envelope = createEnvelope(envKeyring());
    const sealed = envelope.seal(Buffer.from("value"), CONTEXT);
    const same = envelope.rewrap(sealed, CONTEXT);
    assert.deepEqual(same, sealed);
    assert.notEqual(same.wrappedKey, sealed.wrappedKey);
  });

  it("reloads the keyring once when it meets a key written after another process rotated", () => {
    const home = newHome();
    const reader = openKeyring({ home, fileCheckIntervalMs: 60_000 });
    rotateKeyringFile(home);
    const sealed = createEnvelope(openKeyring({ home })).seal(Buffer.from("new"), CONTEXT);

    assert.equal(reader.get(sealed.kekId), undefined);
    assert.deepEqual(createEnvelope(reader).open(sealed, CONTEXT), Buffer.from("new"));
  });

  it("maps keyring failures to EncryptionFailure and InternalServiceError", () => {
    const broken: Keyring = {
      createdNewKey: false,
      source: "file",
      active: () => {
        throw new Error("disk gone");
      },
      get: () => undefined,
      ids: () => [],
      reload: () => {
        throw new Error("disk gone");
      },
      onChange: () => () => {},
    };
    const envelope = createEnvelope(broken);
    assert.throws(() => envelope.seal(Buffer.from("x"), CONTEXT), EncryptionFailure);
    const sealed = createEnvelope(envKeyring()).seal(Buffer.from("x"), CONTEXT);
    assert.throws(() => envelope.open(sealed, CONTEXT), InternalServiceError);
  });
});

describe("no plaintext leaks", () => {
  it("a canary never appears in sealed buffers, errors or the keyring file", () => {
    const home = newHome();
    const keyring = openKeyring({ home });
    const envelope = createEnvelope(keyring);
    const canary = "CANARY-3f9c1d2e-coffer-must-never-store-this";
    const plaintext = Buffer.from(canary.repeat(8));
    const sealed = envelope.seal(plaintext, CONTEXT);
    rotateKeyringFile(home);
    keyring.reload();
    const rewrapped = envelope.rewrap(sealed, CONTEXT);

    for (const value of [sealed, rewrapped]) {
      for (const buffer of [value.ciphertext, value.wrappedKey]) {
        assert.equal(buffer.includes(canary), false);
        assert.equal(buffer.toString("latin1").includes("CANARY"), false);
      }
    }
    assert.equal(readFileSync(join(home, "master.keys"), "utf8").includes("CANARY"), false);
    try {
      envelope.open({ ...sealed, ciphertext: flipBit(sealed.ciphertext, 40, 0) }, CONTEXT);
      assert.fail("tampered ciphertext opened");
    } catch (error) {
      assert.ok(error instanceof DecryptionFailure);
      assert.equal(`${error.message}${error.stack}`.includes("CANARY"), false);
    }
  });
});

describe("metadata MAC", () => {
  it("verifies what it authenticated, and nothing that differs in any bit, key or key id", () => {
    const keyring = envKeyring();
    const envelope = createEnvelope(keyring);
    const other = createEnvelope(envKeyring());
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), (bytes, at) => {
        const message = Buffer.from(bytes);
        const seal = envelope.authenticate(message);
        assert.equal(seal.kekId, keyring.active().id);
        envelope.verify(message, seal);
        const index = at % message.length;
        assert.throws(() => envelope.verify(flipBit(message, index, at % 8), seal), isDecryptionFailure);
        assert.throws(
          () => envelope.verify(message, { ...seal, mac: flipBit(seal.mac, at % 32, at % 8) }),
          isDecryptionFailure,
        );
        assert.throws(
          () => envelope.verify(message, { ...seal, mac: seal.mac.subarray(1) }),
          isDecryptionFailure,
        );
        assert.throws(() => other.verify(message, seal), isDecryptionFailure);
      }),
      { numRuns: 50 },
    );
  });

  it("old seals verify under a previous key, and the MAC key is not the KEK itself", () => {
    const oldKey = randomBytes(32);
    const old = createEnvelope(openKeyring({ home: newHome(), masterKeyBase64: oldKey.toString("base64") }));
    const seal = old.authenticate(Buffer.from("m"));
    createEnvelope(envKeyring(oldKey)).verify(Buffer.from("m"), seal);
    assert.notDeepEqual(seal.mac, createHmac("sha256", oldKey).update("m").digest());
  });
});
