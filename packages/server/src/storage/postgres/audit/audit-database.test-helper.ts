/**
 * Test support: throwaway PostgreSQL databases for the audit trail, on the machine's cluster
 * (testing/postgres.ts). One kit (a superuser) per test file; every database it creates is dropped.
 * Named `*.test-helper.ts` so the runner does not run it and the package does not ship it.
 */
import { type PostgresKit, postgresKit } from "../../../testing/postgres.js";

export interface AuditDatabases {
  kit: PostgresKit;
  /** A new, empty database: its URL, and how to drop it (forcing out any connection left). */
  create(): Promise<{ url: string; name: string; drop(): Promise<void> }>;
  /** Drops the databases not dropped yet, then the kit's superuser. */
  close(): Promise<void>;
}

export async function auditDatabases(): Promise<AuditDatabases> {
  const kit = await postgresKit();
  const live = new Set<string>();
  const drop = async (name: string) => {
    if (!live.delete(name)) return;
    await kit.sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  return {
    kit,
    async create() {
      const name = kit.name("coffer_audit");
      await kit.sql(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
      live.add(name);
      const { user, password, host, port } = kit.admin;
      const url = `postgres://${user}:${password}@${host}:${port}/${name}`;
      return { url, name, drop: () => drop(name) };
    },
    async close() {
      for (const name of [...live]) await drop(name);
      await kit.close();
    },
  };
}
