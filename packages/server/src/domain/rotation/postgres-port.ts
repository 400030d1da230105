/**
 * The port the PostgreSQL built-in rotators reach a database through. The domain owns it; the
 * engine behind it (packages/server/src/rotators/postgres/, the `pg` driver) stays out of domain/.
 */

/** Where and as whom to connect, as the RDS rotation templates read it from the secret. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** true: TLS with the server's certificate and host name verified; false: no TLS. */
  tls: boolean;
}

/** An open, authenticated connection. */
export interface PostgresSession {
  /** Runs one statement with bound parameters ($1, $2…); resolves its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Connects and authenticates within a short timeout. Rejects with {@link PostgresConnectError}:
 * its message names the host and user and the server's reason, never a password.
 */
export interface PostgresPort {
  connect(target: PostgresTarget): Promise<PostgresSession>;
}

export class PostgresConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PostgresConnectError";
  }
}
