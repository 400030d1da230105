// Seeds a Coffer store with N one-version secrets through the domain code in packages/server/dist
// (no HTTP): what bench/list-secrets.mjs and bench/storage-bytes.mjs share. Build first (`npx tsc -b`).
import { randomBytes, randomUUID } from "node:crypto";
import { root } from "./support.mjs";

const dist = `${root}packages/server/dist`;
const { createEnvelope } = await import(`${dist}/crypto/envelope.js`);
const { openKeyring } = await import(`${dist}/crypto/keyring.js`);
const { SqliteStore } = await import(`${dist}/storage/sqlite/sqlite-store.js`);
const { randomArnSuffix } = await import(`${dist}/domain/secrets/arn.js`);
const { SecretReader } = await import(`${dist}/domain/secrets/secret-reader.js`);
const { SecretWriter } = await import(`${dist}/domain/secrets/secret-writer.js`);

export const scope = { region: "us-east-1" };
/** Secrets every selective filter finds, whatever N is: spread evenly over the whole store. */
export const needles = 20;
const envs = ["prod", "dev", "staging"];

/** Secret i of n: realistic names, descriptions and tags; `needles` of them carry a rare marker. */
export function secretInput(i, n) {
  const needle = i % Math.max(1, Math.floor(n / needles)) === 0;
  const team = `team-${i % 50}`;
  const env = envs[i % 3];
  return {
    name: needle ? `needle/svc-${i}/db` : `${team}/svc-${i}/db`,
    description:
      i % 2 === 0 ? (needle ? "Needle credentials" : `Database credentials for service ${i}`) : undefined,
    tags: [
      { Key: needle ? "needle-key" : "team", Value: needle ? "needle-value" : team },
      { Key: "env", Value: env },
    ],
    value: {
      kind: "string",
      bytes: Buffer.from(
        JSON.stringify({ username: "app", password: "x".repeat(32), host: "db.internal", port: 5432 }),
      ),
    },
  };
}

/** A store at `path` (":memory:" or a file) holding n secrets; seeded inside large transactions. */
export async function seededDomain(path, n) {
  let now = Date.UTC(2026, 0, 1);
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const store = new SqliteStore(path);
  const deps = {
    store,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: () => now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const reader = new SecretReader(deps);
  const writer = new SecretWriter(deps);
  // One transaction per 10,000 creates (the store's own commits nest as savepoints): seeding speed only.
  const db = store.db;
  for (let i = 0; i < n; i++) {
    if (i % 10_000 === 0) db.exec("BEGIN");
    now += 1;
    await writer.create(scope, secretInput(i, n));
    if (i % 10_000 === 9_999 || i === n - 1) db.exec("COMMIT");
  }
  return { store, reader, writer, db };
}
