import pg from "pg";
import type { OutsideChangeSink } from "../../domain/ports/stores.js";
import type { ChangeNotice, ChangeOperation } from "../../domain/secrets/change-events.js";
import type { Queryable } from "./connection.js";
import { isTimeout, markResponsive, markUnresponsive } from "./unresponsive.js";

export const changeChannel = "coffer_changes";
/** Change-feed events (what `GET /changes` streams), sent by the committing node after its commit. */
export const changeEventChannel = "coffer_change_events";

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

/**
 * The last statement of every transaction that changes principals, policies or access keys: bumps
 * the change counter and sends `{node, seq, identity: true}`, so other nodes' key and policy caches
 * forget (and a catch-up barrier waits for it like for any other change).
 */
export async function announceIdentityChange(client: Queryable, nodeId: string): Promise<void> {
  await client.query(
    `WITH c AS (UPDATE change_log SET seq = seq + 1 WHERE id = 1 RETURNING seq)
     SELECT pg_notify($2, json_build_object('node', $1::text, 'seq', c.seq, 'identity', true)::text) FROM c`,
    [nodeId, changeChannel],
  );
}

/** The payload of a change-feed event on {@link changeEventChannel}: the notice and its node. */
export function changeEventPayload(nodeId: string, notice: ChangeNotice): string {
  return JSON.stringify({
    node: nodeId,
    arn: notice.arn,
    name: notice.name,
    region: notice.region,
    versionId: notice.versionId,
    operation: notice.operation,
    eventTime: notice.eventTime,
  });
}

/** A change-feed event another node sent, or undefined when the payload is not one. */
export function parseChangeEvent(
  payload: string | undefined,
): { node: unknown; notice: ChangeNotice } | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(payload ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { arn, name, region, versionId, operation, eventTime } = raw;
  if (typeof arn !== "string" || typeof name !== "string" || typeof region !== "string") return undefined;
  if (typeof operation !== "string" || typeof eventTime !== "number") return undefined;
  if (versionId !== undefined && typeof versionId !== "string") return undefined;
  const notice: ChangeNotice = { arn, name, region, operation: operation as ChangeOperation, eventTime };
  if (versionId !== undefined) notice.versionId = versionId;
  return { node: raw.node, notice };
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
  /**
   * How long a catch-up waits for the counter (default 1000 ms); past it the connection is taken
   * for lost, so the next catch-ups answer at once (with `all`) instead of waiting on it again.
   */
  catchUpTimeoutMs?: number;
  /** Which server, for the shared silence verdict (unresponsive.ts). */
  databaseKey?: string;
}

interface Notice {
  node?: unknown;
  seq?: unknown;
  arn?: unknown;
  name?: unknown;
  region?: unknown;
  all?: unknown;
  identity?: unknown;
}

/** How long a catch-up waits for notices the counter says were sent, before it says `all`. */
const noticeWaitMs = 100;

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
  /** Catch-ups waiting for `explained` to reach their `seq`. */
  private readonly waiters = new Set<{ seq: number; done: () => void }>();
  /** The catch-up now reading the counter, and the one that will run after it (see catchUp). */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly options: ChangeFeedOptions,
    private readonly sink: OutsideChangeSink,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    void this.connect(false);
    this.pollTimer = setInterval(() => void this.poll(), this.options.fallbackPollMs);
    this.pollTimer.unref();
  }

  /**
   * Resolves once every change committed before the call has been heard (its notice handled), or
   * the sink was told `all` because that could not be known in time. One counter read serves every
   * caller that arrived before it was sent: a caller joins the queued read, never the one already
   * on the wire (that one may have read the counter before the commit this caller depends on).
   */
  catchUp(): Promise<void> {
    this.queued ??= (this.running ?? Promise.resolve()).then(() => {
      this.queued = undefined;
      const run = this.catchUpOnce().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
      return run;
    });
    return this.queued;
  }

  private async catchUpOnce(): Promise<void> {
    const client = this.client;
    if (!client || !this.synced || this.stopped) {
      // Nothing heard while the feed is down can be trusted: whatever was cached since is dropped.
      this.forgetEverything("change feed not connected");
      return;
    }
    const timeoutMs = this.options.catchUpTimeoutMs ?? 1_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    try {
      // On the LISTEN connection: notices committed before this read arrive ahead of its answer.
      const seq = await Promise.race([readChangeSeq(client), late]);
      if (seq === "late") {
        // The server is silent: the stores' and the audit trail's statements fail at once from now
        // until this feed's connection is back, instead of each waiting out its time-out.
        if (this.options.databaseKey !== undefined) markUnresponsive(this.options.databaseKey);
        this.lost(client, new Error(`the change feed's connection did not answer within ${timeoutMs} ms`));
        return;
      }
      if (this.explained >= seq) return;
      const heard = await this.heardUpTo(seq);
      if (!heard) this.forgetEverything("change notices late");
    } catch (error) {
      this.lost(client, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private heardUpTo(seq: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        seq,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, noticeWaitMs);
      this.waiters.add(waiter);
    });
  }

  private explain(seq: number): void {
    this.explained = Math.max(this.explained, seq);
    for (const waiter of this.waiters) if (waiter.seq <= this.explained) waiter.done();
  }

  private forgetEverything(reason: string): void {
    this.sink.invalidate({ kind: "all", reason });
    this.sink.identityChanged?.();
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
      if (client !== this.client) return;
      if (message.channel === changeChannel) this.notice(message.payload);
      else if (message.channel === changeEventChannel) this.changeEvent(message.payload);
    });
    this.client = client;
    this.synced = false;
    try {
      await client.connect();
      await client.query(`LISTEN ${changeChannel}; LISTEN ${changeEventChannel}`);
      const seq = await readChangeSeq(client);
      if (client !== this.client) return;
      this.explain(seq);
      this.unexplained = undefined;
      this.synced = true;
      this.attempts = 0;
      if (this.options.databaseKey !== undefined) markResponsive(this.options.databaseKey);
      // Whatever committed while the connection was down went unheard; and on the first
      // connection, whatever committed between the watch's start and the LISTEN (as SQLite's
      // watch, this one covers every commit after `watchOutsideChanges` returned).
      this.forgetEverything(afterLoss ? "change feed reconnected" : "change feed started");
    } catch (error) {
      if (this.options.databaseKey !== undefined && isTimeout(error))
        markUnresponsive(this.options.databaseKey);
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.end(client);
    if (this.stopped) return;
    this.forgetEverything("change feed connection lost");
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

  private changeEvent(payload: string | undefined): void {
    const event = parseChangeEvent(payload);
    if (event === undefined || event.node === this.options.nodeId) return;
    this.sink.changeEvent?.(event.notice);
  }

  private notice(payload: string | undefined): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload ?? "") as Notice;
    } catch {
      this.forgetEverything("unreadable change notice");
      return;
    }
    const seq = typeof notice.seq === "number" ? notice.seq : undefined;
    // A gap (a notice went missing, or a foreign one arrived on the channel); checked once the
    // connection knows where the counter stood when it started listening.
    if (this.synced && (seq === undefined || seq > this.explained + 1))
      this.forgetEverything("change notices out of sequence");
    if (seq !== undefined) this.explain(seq);
    if (notice.node === this.options.nodeId) return;
    if (notice.identity === true) {
      this.sink.identityChanged?.();
      return;
    }
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
        this.forgetEverything("changes arrived without their notices");
        this.explain(this.unexplained);
      }
      this.unexplained = seq > this.explained ? seq : undefined;
    } catch (error) {
      this.lost(client, error);
    } finally {
      this.polling = false;
    }
  }
}
