import { randomBytes } from "node:crypto";
import { psqlAsPostgres } from "./postgres.js";

/**
 * `COFFER_TEST_STORE=postgres`: every server process a test starts (testing/server-process.ts)
 * keeps its data in a PostgreSQL database of its own instead of SQLite in its data folder, so the
 * same integration tests run on both engines (`npm test` runs them once per engine). A data folder
 * started again in the same test file gets the same database and master key back. Every database
 * and role made here is dropped when the test process exits.
 *
 * Tests of what only the embedded engine has (the data folder's files, its lock, the keyring file)
 * pass `store: "sqlite"` to startServerProcess.
 */
export const testStoreEngine = (): "sqlite" | "postgres" =>
  process.env.COFFER_TEST_STORE === "postgres" ? "postgres" : "sqlite";

interface TestDatabase {
  name: string;
  env: Record<string, string>;
}

const byHome = new Map<string, TestDatabase>();

export function testStoreEnv(home: string): Record<string, string> {
  if (testStoreEngine() !== "postgres") return {};
  let database = byHome.get(home);
  if (database === undefined) {
    const name = `coffer_it_${randomBytes(6).toString("hex")}`;
    const password = randomBytes(18).toString("hex");
    run(`CREATE ROLE ${name} WITH LOGIN PASSWORD '${password}'`);
    run(`CREATE DATABASE ${name} OWNER ${name}`);
    const port = Number(run("SHOW port").trim());
    database = {
      name,
      env: {
        COFFER_STORE: `postgres://${name}:${password}@127.0.0.1:${port}/${name}?sslmode=disable`,
        COFFER_MASTER_KEY: randomBytes(32).toString("base64"),
      },
    };
    if (byHome.size === 0) process.once("exit", dropAll);
    byHome.set(home, database);
  }
  return database.env;
}

function dropAll(): void {
  for (const { name } of byHome.values()) {
    psqlAsPostgres(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    psqlAsPostgres(`DROP ROLE IF EXISTS ${name}`);
  }
  byHome.clear();
}

function run(statement: string): string {
  const result = psqlAsPostgres(statement);
  if (!result.ok)
    throw new Error(
      `COFFER_TEST_STORE=postgres: ${statement.split(" ", 3).join(" ")} failed: ${result.error}`,
    );
  return result.stdout;
}
