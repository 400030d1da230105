import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { generateKey } from "../crypto/keyMaterial.js";
import { openKeyring } from "../crypto/keyring.js";
import { adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";
import { chaosCount, reportFigure } from "./chaos-scale.js";

const secretCount = chaosCount({ short: 60, full: 1500 });
const rotationKills = chaosCount({ short: 3, full: 12 });
const rotateModule = join(dirname(fileURLToPath(import.meta.url)), "..", "app", "rotate-master-key.js");

const call = (server: ServerProcess, operation: string, input: object) =>
  adminCall(server.url, operation, input, testAdmin, `secretsmanager.${operation}`);

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A data folder holding `secretCount` secrets, its server stopped. */
async function folderWithSecrets(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "coffer-master-key-"));
  roots.push(root);
  const home = join(root, "data");
  const server = await startServerProcess({ home });
  try {
    for (let start = 0; start < secretCount; start += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, secretCount - start) }, (_, i) =>
          call(server, "CreateSecret", { Name: `s${start + i}`, SecretString: `value-${start + i}` }),
        ),
      );
    }
  } finally {
    await server.stop();
  }
  return home;
}

async function assertAllReadable(home: string): Promise<number> {
  const server = await startServerProcess({ home });
  let read = 0;
  try {
    for (let start = 0; start < secretCount; start += 20) {
      const names = Array.from({ length: Math.min(20, secretCount - start) }, (_, i) => `s${start + i}`);
      const answer = (await call(server, "BatchGetSecretValue", { SecretIdList: names })) as {
        SecretValues: Array<{ Name: string; SecretString: string }>;
        Errors?: unknown[];
      };
      assert.deepEqual(answer.Errors ?? [], []);
      for (const value of answer.SecretValues) {
        assert.equal(value.SecretString, `value-${value.Name.slice(1)}`);
        read++;
      }
    }
  } finally {
    await server.stop();
  }
  assert.equal(read, secretCount);
  return read;
}

/** The refusal a start gives, with its exit code: startServerProcess rejects when the server exits first. */
async function refusal(home: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const server = await startServerProcess({ home, env });
    await server.stop();
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /server exited with 1 before listening/);
    return message;
  }
  assert.fail("the server started");
}

describe("the master key at start-up", () => {
  test("missing, wrong or readable by others: the server refuses to start, and says what to do", async () => {
    const home = await folderWithSecrets();
    const keyFile = join(home, "master.keys");
    const { id } = openKeyring({ home }).active();

    renameSync(keyFile, `${keyFile}.moved`);
    const missing = await refusal(home);
    assert.match(
      missing,
      new RegExp(
        `coffer: The master key file \\S+master\\.keys is missing, but \\S+coffer\\.db holds data sealed under master key ${id}\\. Coffer will not make a new key`,
      ),
    );
    assert.match(missing, /Restore \S+master\.keys from a backup .*or set COFFER_MASTER_KEY/);
    assert.equal(existsSync(keyFile), false, "no new key was made");

    // Another folder's keyring: a valid file, the wrong key.
    const other = mkdtempSync(join(tmpdir(), "coffer-other-key-"));
    roots.push(other);
    openKeyring({ home: other });
    copyFileSync(join(other, "master.keys"), keyFile);
    const wrongFile = await refusal(home);
    assert.match(
      wrongFile,
      new RegExp(
        `The master key does not open the data in \\S+coffer\\.db: it is sealed under master key ${id}, which the keyring file`,
      ),
    );
    const wrongEnv = await refusal(home, { COFFER_MASTER_KEY: generateKey().toString("base64") });
    assert.match(
      wrongEnv,
      /The master key does not open the data .* which COFFER_MASTER_KEY \(with COFFER_MASTER_KEYS_PREVIOUS\) does not hold/,
    );

    renameSync(`${keyFile}.moved`, keyFile);
    chmodSync(keyFile, 0o644);
    const shared = await refusal(home);
    assert.match(
      shared,
      /The master key file \S+master\.keys can be read or changed by other users \(mode 0644\)\. Allow only its owner: chmod 600 \S+master\.keys/,
    );
    chmodSync(keyFile, 0o640);
    assert.match(await refusal(home), /mode 0640/);

    chmodSync(keyFile, 0o600);
    await assertAllReadable(home);
    reportFigure("master-key-refusals", {
      missing: true,
      wrongFile: true,
      wrongEnv: true,
      groupOrWorldReadable: true,
      exitCode: 1,
    });
  });

  test("a master-key rotation killed with kill -9 at any point leaves every secret readable", async () => {
    const home = await folderWithSecrets();
    const phases: string[] = [];
    for (let round = 0; round < rotationKills; round++) {
      const server = await startServerProcess({ home });
      let output = "";
      const rotation = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { rotateMasterKey } = await import(${JSON.stringify(rotateModule)}); await rotateMasterKey(process.env);`,
        ],
        {
          env: { PATH: process.env.PATH ?? "", COFFER_HOME: home, TMPDIR: tmpdir() },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const exited = new Promise<number | null>((resolve) => rotation.once("exit", resolve));
      const started = new Promise<void>((resolve) =>
        rotation.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("re-wrapping")) resolve();
        }),
      );
      rotation.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      // Where the kill lands: while the keyring file is being rewritten, while the new key settles
      // in, or while data keys are being re-wrapped (3 s settle, then about a row a millisecond).
      const phase = (["keyring", "settle", "rewrap"] as const)[round % 3] as string;
      const delayMs =
        phase === "keyring"
          ? Math.floor(Math.random() * 150)
          : phase === "settle"
            ? 500 + Math.random() * 2000
            : 0;
      if (phase === "rewrap") {
        await Promise.race([started, exited]);
        await new Promise((resolve) =>
          setTimeout(resolve, 3000 + Math.random() * Math.min(secretCount, 800)),
        );
      } else await new Promise((resolve) => setTimeout(resolve, delayMs));
      const killed = rotation.exitCode === null;
      rotation.kill("SIGKILL");
      const code = await exited;
      phases.push(`${phase}:${killed ? "killed" : `finished(${code})`}`);
      await server.stop();
      await assertAllReadable(home);
    }
    // A rotation after all those kills runs to the end (no lock left behind) and retires the old keys.
    const finish = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { rotateMasterKey } = await import(${JSON.stringify(rotateModule)}); await rotateMasterKey(process.env);`,
      ],
      {
        env: { PATH: process.env.PATH ?? "", COFFER_HOME: home, TMPDIR: tmpdir() },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let finishOutput = "";
    finish.stdout.on("data", (chunk: Buffer) => {
      finishOutput += chunk.toString();
    });
    assert.equal(await new Promise((resolve) => finish.once("exit", resolve)), 0, finishOutput);
    assert.equal(JSON.parse(readFileSync(join(home, "master.keys"), "utf8")).keys.length, 1, finishOutput);
    const readable = await assertAllReadable(home);
    reportFigure("master-key-rotation-kill", {
      secrets: secretCount,
      rotationsKilled: phases.filter((p) => p.endsWith("killed")).length,
      rounds: rotationKills,
      phases: phases.join(" "),
      readableAfterEveryRestart: readable === secretCount,
    });
  });
});
