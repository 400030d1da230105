/**
 * The engines the storage contract suites run against, opened through the same seams the server
 * uses (`openSqliteStores`, `openPostgresStores`). Each harness opens a fresh, empty `Stores`, and
 * `openAnother()` a second `Stores` on the same data (a second connection to the SQLite file; a
 * second pool, change feed and node id on the PostgreSQL database), as a second process or node
 * would, for the cross-connection cases.
 *
 * PostgreSQL: one superuser and one database per test file (dropped in the file's `after`); each
 * harness empties the data tables first, so every test starts as on a freshly migrated database.
 * It is skipped, with the reason printed, only when PostgreSQL is absent and CI is not "true"
 * (testing/postgres.ts).
 *
 * Test support only (named `*.contract.ts`, so the package does not ship it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { Stores } from "../../domain/ports/stores.js";
import { type PostgresKit, postgresKit, requirePostgres } from "../../testing/postgres.js";
import { openPostgresStores } from "../postgres/open-postgres-stores.js";
import { openSqliteStores, type SqliteStoresOptions } from "../sqlite/sqlite-stores.js";

export interface StoresHarness {
  stores: Stores;
  /** Another `Stores` on the same data; closed by `cleanup`. */
  openAnother(): Promise<Stores>;
  /** Closes every `Stores` the harness opened (if still open) and removes what it created. */
  cleanup(): Promise<void>;
}

export type OpenHarness = () => Promise<StoresHarness>;

/** Runs a case on a fresh harness, cleaned up whatever happens. */
export async function withHarness(
  open: OpenHarness,
  test: (harness: StoresHarness) => Promise<void>,
): Promise<void> {
  const harness = await open();
  try {
    await test(harness);
  } finally {
    await harness.cleanup();
  }
}

/** How often the SQLite engine looks for other connections' commits here (the server's is 500 ms). */
const sqliteOutsideChangeIntervalMs = 20;

/** Closes each opened `Stores` once, whether the test or the cleanup gets there first. */
export function opened() {
  const all: Stores[] = [];
  return {
    add(stores: Stores): Stores {
      let closing: Promise<void> | undefined;
      const once: Stores = { ...stores, close: () => (closing ??= stores.close()) };
      all.push(once);
      return once;
    },
    closeAll: () => Promise.all(all.map((stores) => stores.close())),
  };
}

/** The SQLite engine on a file in a temp folder; `options` as the server could pass them. */
export const sqliteHarness =
  (options: SqliteStoresOptions = {}): OpenHarness =>
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-stores-contract-"));
    const path = join(dir, "coffer.db");
    const open = () =>
      openSqliteStores(path, { outsideChangeIntervalMs: sqliteOutsideChangeIntervalMs, ...options });
    const stores = opened();
    return {
      stores: stores.add(open()),
      openAnother: async () => stores.add(open()),
      async cleanup() {
        try {
          await stores.closeAll();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  };

/** Every table that holds data (not the schema's own bookkeeping, nor the change counter). */
const dataTables = [
  "settings",
  "secrets",
  "secret_versions",
  "version_stages",
  "secret_terms",
  "access_keys",
  "principals",
  "principal_policies",
  "oidc_providers",
  "rotation_leases",
  "leases",
  "nodes",
];

/**
 * The PostgreSQL engine for one test file: its database is made on first use, emptied back to its
 * freshly migrated state by every `open`, and dropped by `close`.
 */
export function postgresEngine(): { open: OpenHarness; close(): Promise<void> } {
  let database: Promise<{ kit: PostgresKit; name: string; url: string }> | undefined;
  /** The settings rows a fresh migration leaves, restored by every reset. */
  let freshSettings: Array<Record<string, unknown>> | undefined;
  const create = async () => {
    const kit = await postgresKit();
    const name = kit.name("coffer_contract");
    try {
      await kit.sql(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
    } catch (error) {
      await kit.close();
      throw error;
    }
    const { user, password, host, port } = kit.admin;
    return { kit, name, url: `postgres://${user}:${password}@${host}:${port}/${name}?sslmode=disable` };
  };
  return {
    async open() {
      database ??= create();
      const { kit, name, url } = await database;
      if (freshSettings === undefined) {
        // The first open migrates the database: what it leaves is the fresh state.
        const first = await openPostgresStores({ url });
        await first.close();
        freshSettings = await kit.sql("SELECT key, value FROM settings", [], name);
      } else {
        await kit.sql(`TRUNCATE ${dataTables.join(", ")} RESTART IDENTITY`, [], name);
        for (const { key, value } of freshSettings)
          await kit.sql("INSERT INTO settings (key, value) VALUES ($1, $2)", [key, value], name);
      }
      // Notices arrive at once; the fallback poll (which says `all`) only backs them up.
      const open = () => openPostgresStores({ url, fallbackPollMs: 500 });
      const stores = opened();
      return {
        stores: stores.add(await open()),
        openAnother: async () => stores.add(await open()),
        cleanup: async () => void (await stores.closeAll()),
      };
    },
    async close() {
      if (database === undefined) return;
      const { kit, name } = await database;
      try {
        await kit.sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await kit.close();
      }
    },
  };
}

/**
 * Declares a contract suite once per engine: SQLite always; PostgreSQL on a database of this test
 * file, dropped after it, unless PostgreSQL is absent (then skipped with the reason printed).
 */
export function forEachEngine(describeContract: (engine: string, open: OpenHarness) => void): void {
  describeContract("SQLite", sqliteHarness());
  const { skip } = requirePostgres();
  if (skip !== false) return;
  const postgres = postgresEngine();
  after(() => postgres.close());
  describeContract("PostgreSQL", postgres.open);
}
