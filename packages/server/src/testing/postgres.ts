import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * A real PostgreSQL for tests (the machine's cluster; `.ci/run` starts it with
 * `pg_ctlcluster 15 main start`). The kit reaches it as the `postgres` OS user over the unix socket
 * (peer authentication, through `runuser`), creates a superuser with a random name and password
 * for the test file, and the test connects over TCP (127.0.0.1) with it. Skips with a printed reason
 * when PostgreSQL is not available, except when CI=true (as requireTool).
 */
export function requirePostgres(): { skip: string | false } {
  const probe = psqlAsPostgres("SELECT 1");
  if (probe.ok && probe.stdout.trim() === "1") return { skip: false };
  const why = probe.error.replace(/\s+/g, " ").trim();
  const reason = `PostgreSQL is not available (${why}); start it with: pg_ctlcluster 15 main start`;
  if (process.env.CI === "true") throw new Error(`${reason}, and CI=true forbids skipping these tests`);
  console.log(`# skipping: ${reason}`);
  return { skip: reason };
}

export interface PostgresLogin {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface PostgresKit {
  /** The test file's superuser. */
  admin: PostgresLogin;
  /** A random lower-case name with the given prefix (databases, roles). */
  name(prefix: string): string;
  /** Runs statements as the test superuser (in `database`, default postgres). */
  sql(statement: string, params?: unknown[], database?: string): Promise<Record<string, unknown>[]>;
  /** Connects and runs SELECT 1; resolves true when the login works, false when it is refused. */
  canLogin(login: PostgresLogin): Promise<boolean>;
  /** Drops the superuser (and whatever the tests left). */
  close(): Promise<void>;
}

export async function postgresKit(): Promise<PostgresKit> {
  const portOut = psqlAsPostgres("SHOW port");
  if (!portOut.ok) throw new Error(`psql as postgres failed: ${portOut.error}`);
  const port = Number(portOut.stdout.trim());
  const user = `coffer_test_${randomBytes(6).toString("hex")}`;
  const password = randomBytes(18).toString("hex");
  const created = psqlAsPostgres(`CREATE ROLE ${user} WITH SUPERUSER LOGIN PASSWORD '${password}'`);
  if (!created.ok) throw new Error(`creating the test superuser failed: ${created.error}`);
  const admin: PostgresLogin = { host: "127.0.0.1", port, user, password, database: "postgres" };
  const connect = async (login: PostgresLogin) => {
    const client = new pg.Client({ ...login, ssl: false, connectionTimeoutMillis: 5_000 });
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  return {
    admin,
    name: (prefix) => `${prefix}_${randomBytes(5).toString("hex")}`,
    async sql(statement, params = [], database = "postgres") {
      const client = await connect({ ...admin, database });
      try {
        return (await client.query(statement, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async canLogin(login) {
      let client: pg.Client | undefined;
      try {
        client = await connect(login);
        await client.query("SELECT 1");
        return true;
      } catch (error) {
        // 28P01 invalid_password, 28000 invalid_authorization_specification (e.g. NOLOGIN).
        const code = (error as { code?: string }).code;
        if (code === "28P01" || code === "28000") return false;
        throw error;
      } finally {
        await client?.end().catch(() => {});
      }
    },
    async close() {
      const dropped = psqlAsPostgres(`DROP ROLE IF EXISTS ${user}`);
      if (!dropped.ok) throw new Error(`dropping the test superuser failed: ${dropped.error}`);
    },
  };
}

/** One statement through psql as the postgres OS user (the SQL travels on stdin, not in argv). */
export function psqlAsPostgres(statement: string): { ok: boolean; stdout: string; error: string } {
  const result = spawnSync(
    "runuser",
    ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"],
    {
      input: `${statement};\n`,
      encoding: "utf8",
      timeout: 15_000,
      cwd: "/",
    },
  );
  if (result.error) return { ok: false, stdout: "", error: result.error.message };
  if (result.status !== 0)
    return { ok: false, stdout: "", error: (result.stderr || `exit ${result.status}`).trim() };
  return { ok: true, stdout: result.stdout, error: "" };
}
