import { type PostgresKit, postgresKit } from "../../testing/postgres.js";

/** A fresh database of the machine's PostgreSQL for one test file, dropped by `drop`. */
export interface TestDatabase {
  kit: PostgresKit;
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const kit = await postgresKit();
  const name = kit.name("coffer");
  await kit.sql(`CREATE DATABASE ${name}`);
  const { user, password, host, port } = kit.admin;
  return {
    kit,
    name,
    url: `postgres://${user}:${password}@${host}:${port}/${name}?sslmode=disable`,
    async drop() {
      try {
        await kit.sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await kit.close();
      }
    },
  };
}

/** Polls `condition` until it holds or `ms` pass (no fixed sleeps: returns as soon as it holds). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 5_000,
  what = "condition",
) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
