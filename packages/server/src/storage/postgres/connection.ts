import pg from "pg";
import { isBrokenConnection } from "./faults.js";
import { databaseKey, guarded } from "./unresponsive.js";

export interface PostgresConnectionOptions {
  /** postgres://user:password@host:port/database?sslmode=… */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Server-side limit on one statement (default 5000 ms). */
  statementTimeoutMs?: number;
  /** Limit on opening a connection or waiting for a free one (default 2000 ms): fail fast when down. */
  connectTimeoutMs?: number;
  /** TLS settings for node-postgres, used instead of the URL's `ssl*` parameters when given. */
  ssl?: pg.ConnectionConfig["ssl"];
}

export const defaults = { poolSize: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 2_000 } as const;

/** The URL without its password (in the user part or as a `password` parameter), for messages. */
export function redactedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "postgres://(a URL that could not be parsed)";
  }
  parsed.password = "";
  parsed.searchParams.delete("password");
  return parsed.toString();
}

/** int8 (bigint: epoch milliseconds, ids, counts) as a JavaScript number; every value fits 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** node-postgres settings for one connection, shared by the pool and the LISTEN connection. */
export function clientConfig(options: PostgresConnectionOptions): pg.ClientConfig {
  const statementTimeoutMs = options.statementTimeoutMs ?? defaults.statementTimeoutMs;
  let connectionString = options.url;
  if (options.ssl !== undefined) {
    // node-postgres lets the URL's ssl parameters override `ssl`; the explicit setting must win.
    try {
      const parsed = new URL(options.url);
      for (const key of ["ssl", "sslmode", "sslcert", "sslkey", "sslrootcert"])
        parsed.searchParams.delete(key);
      connectionString = parsed.toString();
    } catch {
      // Left as given: node-postgres reports what is wrong with it.
    }
  }
  return {
    connectionString,
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // Client side too: a server that stopped answering (a partition) fails the query, not hangs it.
    query_timeout: statementTimeoutMs + 1_000,
    application_name: "coffer",
    keepAlive: true,
    types,
  };
}

/** A pooled connection, a LISTEN connection or the pool itself: something that runs a statement. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * The pool, with the two ways the stores use it: one statement, or one transaction. A connection
 * the pool handed out that turns out dead (its backend was terminated while it sat idle) is
 * dropped and the work retried once on a fresh one, when the work had not started (a transaction's
 * BEGIN) or is safe to repeat (`idempotent`).
 */
export class Database {
  readonly pool: pg.Pool;
  /** Which server this is, for the shared silence verdict (unresponsive.ts). */
  readonly key: string;

  constructor(readonly options: PostgresConnectionOptions) {
    this.key = databaseKey(options.url);
    this.pool = new pg.Pool({
      ...clientConfig(options),
      max: options.poolSize ?? defaults.poolSize,
      idleTimeoutMillis: 30_000,
    });
    // A connection whose backend goes away must not crash the process. The pool listens on its
    // idle connections (and drops them), but not on those checked out, where node-postgres still
    // emits 'error' beside failing the query: each connection gets its own listener.
    this.pool.on("error", () => {});
    this.pool.on("connect", (client) => client.on("error", () => {}));
  }

  /** One statement on a pooled connection; `idempotent` ones are retried once on a dead connection. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    idempotent = true,
  ): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        const result = await guarded(this.key, () => client.query<R>(sql, params));
        client.release();
        return result;
      } catch (error) {
        const broken = isBrokenConnection(error);
        client.release(broken ? asError(error) : undefined);
        if (!(broken && idempotent && attempt === 1)) throw error;
      }
    }
  }

  /** `work` inside BEGIN … COMMIT (ROLLBACK if it throws), on one connection. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        await guarded(this.key, () => client.query(begin));
      } catch (error) {
        const broken = isBrokenConnection(error);
        client.release(broken ? asError(error) : undefined);
        if (broken && attempt === 1) continue;
        throw error;
      }
      try {
        const result = await work(client);
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error) {
        let dead = isBrokenConnection(error);
        if (!dead) {
          try {
            await client.query("ROLLBACK");
          } catch {
            dead = true;
          }
        }
        client.release(dead ? asError(error) : undefined);
        throw error;
      }
    }
  }

  /** A pooled connection, through the silence breaker (unresponsive.ts). */
  private connect(): Promise<pg.PoolClient> {
    return guarded(this.key, () => this.pool.connect());
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
