import pg from "pg";
import type { InvalidationSink } from "../../domain/secrets/invalidations.js";
import type { Queryable } from "./connection.js";

export const changeChannel = "coffer_changes";

/** NOTIFY refuses payloads of 8000 bytes or more; a notice that would be larger says `all`. */
const maxPayloadBytes = 7_900;

export interface ChangedSecret {
  arn: string;
  name: string;
  region: string;
}

/**
 * The last statement of every transaction that changes secret rows: bumps the change counter and
 * sends one notice per changed secret, `{node, seq, arn, name, region}` (names and ARNs only, never
 * values), or `{node, seq, all: true}` where that would not fit. Notices are delivered at commit,
 * in commit order; the counter row's lock, held to the commit, makes `seq` follow that order too.
 */
export async function announceChanges(
  client: Queryable,
  nodeId: string,
  changed: readonly ChangedSecret[],
): Promise<void> {
  if (changed.length === 0) return;
  await client.query(
    `WITH c AS (UPDATE change_log SET seq = seq + 1 WHERE id = 1 RETURNING seq),
          p AS (SELECT c.seq, json_build_object('node', $1::text, 'seq', c.seq, 'arn', t.arn, 'name', t.name,
                  'region', t.region)::text AS payload
                FROM c, unnest($2::text[], $3::text[], $4::text[]) AS t(arn, name, region))
     SELECT pg_notify($5, CASE WHEN octet_length(payload) <= $6 THEN payload
       ELSE json_build_object('node', $1::text, 'seq', seq, 'all', true)::text END)
     FROM p`,
    [
      nodeId,
      changed.map((c) => c.arn),
      changed.map((c) => c.name),
      changed.map((c) => c.region),
      changeChannel,
      maxPayloadBytes,
    ],
  );
}

export async function readChangeSeq(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ seq: number }>("SELECT seq FROM change_log WHERE id = 1");
  return Number(rows[0]?.seq ?? 0);
}

export interface ChangeFeedOptions {
  connection: pg.ClientConfig;
  nodeId: string;
  /** How often the counter is compared with the notices received (default 2000 ms). */
  fallbackPollMs: number;
  /** Reconnection backoff after the LISTEN connection drops: doubling from `min`, capped at `max`. */
  reconnectDelayMs: { min: number; max: number };
}

interface Notice {
  node?: unknown;
  seq?: unknown;
  arn?: unknown;
  name?: unknown;
  region?: unknown;
  all?: unknown;
}

/**
 * Feeds `sink` the changes other nodes commit, from a dedicated LISTEN connection (not the pool's).
 * Bounded fallback: every `fallbackPollMs` the change counter is read on the same connection; a
 * counter that moved past what the notices explained, and still had not been explained one poll
 * later (notices arrive just after the commit that counted them), means something was missed:
 * `all`. A gap in the notices' `seq`, an unreadable notice, a dropped connection or a failed poll
 * also say `all`; the connection is then reopened with a capped backoff and LISTENs again. Each
 * connection says `all` once it listens, for the commits made before it did.
 */
export class ChangeFeed {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Whether `explained` was read on the current connection (until then, gaps are not checked). */
  private synced = false;
  /** The highest `seq` the notices (this node's own included) have explained. */
  private explained = 0;
  /** The counter read by the last poll while it was ahead of `explained`. */
  private unexplained: number | undefined;
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly options: ChangeFeedOptions,
    private readonly sink: InvalidationSink,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    void this.connect(false);
    this.pollTimer = setInterval(() => void this.poll(), this.options.fallbackPollMs);
    this.pollTimer.unref();
  }

  /** Ends the connection and every timer; resolves when the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (client) this.end(client);
    await Promise.all([...this.ending]);
  }

  private async connect(afterLoss: boolean): Promise<void> {
    const client = new pg.Client(this.options.connection);
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("the LISTEN connection to PostgreSQL ended")));
    client.on("notification", (message) => {
      if (client === this.client && message.channel === changeChannel) this.notice(message.payload);
    });
    this.client = client;
    this.synced = false;
    try {
      await client.connect();
      await client.query(`LISTEN ${changeChannel}`);
      const seq = await readChangeSeq(client);
      if (client !== this.client) return;
      this.explained = Math.max(this.explained, seq);
      this.unexplained = undefined;
      this.synced = true;
      this.attempts = 0;
      // Whatever committed while the connection was down went unheard; and on the first
      // connection, whatever committed between the watch's start and the LISTEN (as SQLite's
      // watch, this one covers every commit after `watchOutsideChanges` returned).
      this.sink.invalidate({
        kind: "all",
        reason: afterLoss ? "change feed reconnected" : "change feed started",
      });
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.end(client);
    if (this.stopped) return;
    this.sink.invalidate({ kind: "all", reason: "change feed connection lost" });
    this.onError(error);
    const { min, max } = this.options.reconnectDelayMs;
    const delay = Math.min(max, min * 2 ** Math.min(this.attempts, 20));
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) void this.connect(true);
    }, delay);
  }

  private end(client: pg.Client): void {
    client.removeAllListeners("notification");
    const ended = client
      .end()
      .catch(() => {})
      .finally(() => this.ending.delete(ended));
    this.ending.add(ended);
  }

  private notice(payload: string | undefined): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload ?? "") as Notice;
    } catch {
      this.sink.invalidate({ kind: "all", reason: "unreadable change notice" });
      return;
    }
    const seq = typeof notice.seq === "number" ? notice.seq : undefined;
    // A gap (a notice went missing, or a foreign one arrived on the channel); checked once the
    // connection knows where the counter stood when it started listening.
    if (this.synced && (seq === undefined || seq > this.explained + 1))
      this.sink.invalidate({ kind: "all", reason: "change notices out of sequence" });
    if (seq !== undefined) this.explained = Math.max(this.explained, seq);
    if (notice.node === this.options.nodeId) return;
    if (notice.all === true || typeof notice.arn !== "string") {
      this.sink.invalidate({ kind: "all", reason: "another node changed many secrets" });
      return;
    }
    this.sink.invalidate({
      kind: "secret",
      arn: notice.arn,
      name: typeof notice.name === "string" ? notice.name : undefined,
      region: typeof notice.region === "string" ? notice.region : undefined,
    });
  }

  private async poll(): Promise<void> {
    const client = this.client;
    if (!client || !this.synced || this.polling || this.stopped) return;
    this.polling = true;
    try {
      const seq = await readChangeSeq(client);
      if (client !== this.client) return;
      if (this.unexplained !== undefined && this.explained < this.unexplained) {
        this.sink.invalidate({ kind: "all", reason: "changes arrived without their notices" });
        this.explained = Math.max(this.explained, this.unexplained);
      }
      this.unexplained = seq > this.explained ? seq : undefined;
    } catch (error) {
      this.lost(client, error);
    } finally {
      this.polling = false;
    }
  }
}
