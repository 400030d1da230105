import pg from "pg";
import {
  PostgresConnectError,
  type PostgresPort,
  type PostgresSession,
  type PostgresTarget,
} from "../../domain/rotation/postgres-port.js";

/** As AWS's RDS rotation templates: `connect_timeout=5`. */
const connectTimeoutMs = 5_000;
/** A rotation statement is tiny; one that hangs (a lock) fails the step instead of holding it. */
const statementTimeoutMs = 10_000;

/**
 * The `pg` driver behind the domain's {@link PostgresPort}. TLS verifies the server's certificate
 * against Node's CA store and its host name (as the templates' `sslmode=verify-full`); without TLS
 * the connection is plain (`sslmode=disable`). Errors carry the server's reason, never a password.
 */
export class PgPostgresPort implements PostgresPort {
  async connect(target: PostgresTarget): Promise<PostgresSession> {
    const client = new pg.Client({
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      ssl: target.tls ? { rejectUnauthorized: true, servername: target.host } : false,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: statementTimeoutMs,
      statement_timeout: statementTimeoutMs,
      application_name: "coffer-rotation",
    });
    // A connection lost while idle emits 'error'; the next query rejects instead of crashing the server.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw new PostgresConnectError(
        `Could not connect to PostgreSQL at ${target.host}:${target.port} as ${target.user}${target.tls ? " over TLS" : ""}: ${reason(error, target.password)}`,
      );
    }
    return {
      async query(sql, params = []) {
        try {
          const result = await client.query(sql, params as unknown[]);
          return result.rows as Record<string, unknown>[];
        } catch (error) {
          throw new Error(`PostgreSQL refused a statement: ${reason(error, target.password)}`);
        }
      },
      async close() {
        await client.end().catch(() => {});
      },
    };
  }
}

/** The driver's message (and SQLSTATE), with the password cut out should a message ever echo it. */
function reason(error: unknown, password: string): string {
  const code =
    typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  let message = error instanceof Error ? error.message : String(error);
  if (password !== "") message = message.split(password).join("****");
  return code && /^[0-9A-Z]{5}$/.test(code) ? `${message} (SQLSTATE ${code})` : message;
}
