/**
 * A fresh, empty `Stores` for a unit test, on the engine `COFFER_TEST_STORE` names (default SQLite),
 * so the domain's tests run on both engines (`npm test` runs them once per engine, the second time
 * in scripts/test-on-postgres.mjs). It is what the server opens, through the same seams
 * (`openSqliteStores`, `openPostgresStores`):
 *
 * - SQLite: a file in a temp folder of its own.
 * - PostgreSQL: a database of the machine's cluster, reached as a superuser made for the test
 *   file (testing/postgres.ts). A closed handle's database is reused by the next `openTestStores`
 *   of the file, emptied back to its freshly migrated state first (a few DELETEs: about 2 ms here,
 *   where making and dropping a database took over 100 ms, and a TRUNCATE of its tables 25 ms), so
 *   a property test that opens one per run stays quick and holds one database at a time.
 *
 * Everything a test file opens here (stores, connections, temp folders, databases, its superuser)
 * is closed and removed when the file ends, including what a test forgot to close; and, should the
 * process end without its `after` hooks, still the temp folders, databases and role on exit.
 *
 * Test support only (named `*.test-helper.ts`, so the package does not ship it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import type { Stores } from "../domain/ports/stores.js";
import { type PostgresKit, postgresKit, psqlAsPostgres, requirePostgres } from "../testing/postgres.js";
import { testStoreEngine } from "../testing/test-store.js";
import { opened as openedOnce } from "./contract/engines.contract.js";
import { openPostgresStores } from "./postgres/open-postgres-stores.js";
import { openSqliteStores } from "./sqlite/sqlite-stores.js";

export type Row = Record<string, unknown>;

/** One statement for {@link TestStores.rawTransaction}: SQL and its parameters. */
export type RawStatement = readonly [statement: string, params?: readonly unknown[]];

export interface TestStores {
  readonly engine: "sqlite" | "postgres";
  /** Fresh and empty, as a server finds a new data folder or database. Closed by `close`. */
  readonly stores: Stores;
  /**
   * Another `Stores` on the same data, as another server process opens the same SQLite file or
   * another node the same PostgreSQL database (several nodes; a restart). Closed by `close`.
   */
  openAnother(): Promise<Stores>;
  /**
   * One statement straight on the data, bypassing Coffer: what someone with write access to the
   * database (its file, or its server) but not the master key can do. Placeholders are `$1`, `$2`…
   * on both engines; foreign keys are not enforced (SQLite `foreign_keys = OFF`, PostgreSQL
   * `session_replication_role = replica`). Resolves with the rows it returns.
   */
  rawSql(statement: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several {@link rawSql} statements in one transaction; resolves with the last one's rows. */
  rawTransaction(statements: readonly RawStatement[]): Promise<Row[]>;
  /** Closes every `Stores` and connection of this handle, and gives its data back. Idempotent. */
  close(): Promise<void>;
}

/**
 * Whether the engine `COFFER_TEST_STORE` names can be used: PostgreSQL skips (with the reason
 * printed) when the machine has none, except when CI=true, where it throws (requirePostgres).
 * Pass the result to the tests that open stores: `test(name, { skip }, …)`.
 */
export function requireTestStores(): { skip: string | false } {
  return testStoreEngine() === "postgres" ? requirePostgres() : { skip: false };
}

/** A fresh, empty `Stores` on the engine `COFFER_TEST_STORE` names (default SQLite). */
export async function openTestStores(): Promise<TestStores> {
  const handle = testStoreEngine() === "postgres" ? await openPostgres() : openSqlite();
  handles.add(handle);
  return handle;
}

/** The handles still open, closed when the test file ends. */
const handles = new Set<TestStores>();

// Registered while the test file's module graph loads (outside any test), so this is the file's
// own `after`, run once all its tests have finished.
after(async () => {
  await Promise.allSettled([...handles].map((handle) => handle.close()));
  await postgres.dropAll();
});

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

// --- SQLite ---------------------------------------------------------------------------------------

/** Temp folders not yet removed: the exit fallback removes them. */
const sqliteFolders = new Set<string>();
let sqliteExitFallback = false;

function openSqlite(): TestStores {
  const dir = mkdtempSync(join(tmpdir(), "coffer-test-stores-"));
  if (!sqliteExitFallback) process.once("exit", removeSqliteFolders);
  sqliteExitFallback = true;
  sqliteFolders.add(dir);
  const path = join(dir, "coffer.db");
  const opened = openedOnce();
  let raw: Database.Database | undefined;
  const connection = () => {
    if (raw === undefined) {
      raw = new Database(path);
      raw.pragma("foreign_keys = OFF");
      raw.pragma("busy_timeout = 5000");
    }
    return raw;
  };
  const handle: TestStores = {
    engine: "sqlite",
    stores: opened.add(openSqliteStores(path)),
    openAnother: async () => opened.add(openSqliteStores(path)),
    rawSql: async (statement, params = []) => runSqlite(connection(), statement, params),
    async rawTransaction(statements) {
      const db = connection();
      let rows: Row[] = [];
      db.transaction(() => {
        for (const [statement, params = []] of statements) rows = runSqlite(db, statement, params);
      })();
      return rows;
    },
    close: once(async () => {
      handles.delete(handle);
      try {
        await opened.closeAll();
        raw?.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        sqliteFolders.delete(dir);
      }
    }),
  };
  return handle;
}

/** better-sqlite3 numbers no `$1` placeholders: they become the named `@p1`, bound by name. */
function runSqlite(db: Database.Database, statement: string, params: readonly unknown[]): Row[] {
  const prepared = db.prepare(statement.replace(/\$(\d+)/g, "@p$1"));
  const named = Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));
  if (prepared.reader) return prepared.all(named) as Row[];
  prepared.run(named);
  return [];
}

function removeSqliteFolders(): void {
  for (const dir of sqliteFolders) rmSync(dir, { recursive: true, force: true });
  sqliteFolders.clear();
}

// --- PostgreSQL -----------------------------------------------------------------------------------

/** A database of this test file: in use by one handle, or free for the next. */
interface PooledDatabase {
  name: string;
  url: string;
  /** The superuser's own connection to it: empties it for reuse, and runs `rawSql`. */
  keeper: pg.Client;
}

const postgres = (() => {
  let kit: Promise<PostgresKit> | undefined;
  /** The kit's superuser, once made: dropped last. */
  let kitUser: string | undefined;
  /** Every database made and not yet dropped, and those of them free for reuse. */
  const made: PooledDatabase[] = [];
  const free: PooledDatabase[] = [];
  /** Empties a database back to what a fresh migration leaves (known once the first is migrated). */
  let resetSql: string | undefined;

  /**
   * Drops every database made and the superuser, in one psql run. Synchronous on purpose: neither
   * the timer that ends a finished test file (scripts/end-test-file.mjs) nor the exit can cut it
   * short, and DROP DATABASE waits for a checkpoint, which takes seconds on a loaded machine.
   */
  const dropSync = (): string | undefined => {
    const statements = made.map(({ name }) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if (kitUser !== undefined) statements.push(`DROP ROLE IF EXISTS ${kitUser}`);
    if (statements.length === 0) return undefined;
    // Again if it fails: psql gives up after 15 s, and a database still being dropped keeps its owner.
    let dropped = psqlAsPostgres(statements.join(";\n"));
    for (let attempt = 2; !dropped.ok && attempt <= 3; attempt++)
      dropped = psqlAsPostgres(statements.join(";\n"));
    if (!dropped.ok) return dropped.error;
    made.length = 0;
    free.length = 0;
    kitUser = undefined;
    kit = undefined;
    return undefined;
  };
  const exitFallback = () => void dropSync();

  return {
    async acquire(): Promise<{ database: PooledDatabase; fresh: boolean }> {
      const reused = free.pop();
      if (reused !== undefined) {
        if (resetSql === undefined) throw new Error("a database was freed before it was migrated");
        await reused.keeper.query(resetSql);
        return { database: reused, fresh: false };
      }
      kit ??= postgresKit().then((opened) => {
        kitUser = opened.admin.user;
        process.once("exit", exitFallback);
        return opened;
      });
      const { admin, name: nameWith, sql } = await kit;
      const name = nameWith("coffer_unit");
      await sql(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
      const url = `postgres://${admin.user}:${admin.password}@${admin.host}:${admin.port}/${name}?sslmode=disable`;
      const keeper = new pg.Client({ ...admin, database: name, ssl: false, connectionTimeoutMillis: 5_000 });
      const database = { name, url, keeper };
      made.push(database);
      keeper.on("error", () => {});
      await keeper.connect();
      return { database, fresh: true };
    },
    /** Called with a database just migrated and not yet written: what it holds is the fresh state. */
    async learnFreshState(database: PooledDatabase): Promise<void> {
      resetSql ??= await freshStateSql(database.keeper);
    },
    release(database: PooledDatabase): void {
      free.push(database);
    },
    /** Once the handles are closed: ends the keepers' connections, drops the databases and the superuser. */
    async dropAll(): Promise<void> {
      if (kit === undefined) return;
      await kit.catch(() => {});
      await Promise.allSettled(made.map((database) => database.keeper.end()));
      const error = dropSync();
      if (error !== undefined) throw new Error(`dropping the test databases failed: ${error}`);
      process.removeListener("exit", exitFallback);
    },
  };
})();

async function openPostgres(): Promise<TestStores> {
  const { database, fresh } = await postgres.acquire();
  const opened = openedOnce();
  const open = () => openPostgresStores({ url: database.url });
  let stores: Stores;
  try {
    stores = opened.add(await open());
    if (fresh) await postgres.learnFreshState(database);
  } catch (error) {
    await opened.closeAll();
    postgres.release(database);
    throw error;
  }
  const keeper = database.keeper;
  const rawTransaction = async (statements: readonly RawStatement[]) => {
    await keeper.query("BEGIN");
    try {
      await keeper.query("SET LOCAL session_replication_role = replica");
      let rows: Row[] = [];
      for (const [statement, params = []] of statements)
        rows = (await keeper.query(statement, [...params])).rows as Row[];
      await keeper.query("COMMIT");
      return rows;
    } catch (error) {
      await keeper.query("ROLLBACK").catch(() => {});
      throw error;
    }
  };
  const handle: TestStores = {
    engine: "postgres",
    stores,
    openAnother: async () => opened.add(await open()),
    rawSql: (statement, params = []) => rawTransaction([[statement, params]]),
    rawTransaction,
    close: once(async () => {
      handles.delete(handle);
      await opened.closeAll();
      postgres.release(database);
    }),
  };
  return handle;
}

/**
 * The SQL that empties a database back to `keeper`'s database as it is now (freshly migrated):
 * every table but the migrations' record emptied and refilled with the rows it holds now (the
 * settings and the change counter the migration wrote), identity sequences restarted. Foreign
 * keys are not checked while it runs, so the order does not matter.
 */
async function freshStateSql(keeper: pg.Client): Promise<string> {
  const tables = (
    await keeper.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
       WHERE schemaname = 'public' AND tablename <> 'coffer_schema_migrations' ORDER BY tablename`,
    )
  ).rows.map((row) => row.name);
  const sequences = (
    await keeper.query<{ name: string }>(
      `SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) AS name
       FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'`,
    )
  ).rows.map((row) => row.name);
  const refills: string[] = [];
  for (const table of tables) {
    const { rows } = await keeper.query<{ rows: unknown[] }>(
      `SELECT coalesce(json_agg(t), '[]') AS rows FROM ${table} t`,
    );
    const fresh = rows[0]?.rows ?? [];
    if (fresh.length > 0)
      refills.push(
        `INSERT INTO ${table} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${table}, ${keeper.escapeLiteral(JSON.stringify(fresh))})`,
      );
  }
  return [
    "BEGIN",
    "SET LOCAL session_replication_role = replica",
    ...tables.map((table) => `DELETE FROM ${table}`),
    ...sequences.map((sequence) => `SELECT setval(${keeper.escapeLiteral(sequence)}, 1, false)`),
    ...refills,
    "COMMIT",
  ].join(";\n");
}
