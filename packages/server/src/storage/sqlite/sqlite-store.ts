import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { MetadataSeal } from "../../crypto/envelope.js";
import {
  type ListMatch,
  type ResealChange,
  type SealedValueRow,
  type SecretChange,
  type SecretListQuery,
  type SecretSnapshot,
  type SecretStore,
  type SettingsStore,
  type SortKey,
  StoreConflictError,
} from "../../domain/ports/secret-store.js";
import type { SecretRecord, SecretState, StageMap, VersionRecord } from "../../domain/secrets/records.js";
import { SqliteLeaseStore } from "./lease-store.js";
import { migrate } from "./migrations.js";
import { SqliteNodeRegistry } from "./node-registry.js";
import { SqliteRotationSchedule } from "./rotation-schedule.js";
import {
  type SecretRow,
  secretParams,
  toSecretRecord,
  toVersionMeta,
  toVersionRecord,
  type VersionMetaRow,
  type VersionRow,
} from "./rows.js";
import { isWellFormed, kindsOf, mayHold, prefixUpperBound, searchTermsOf } from "./search-terms.js";
import { SqliteIdentityStore } from "./sqlite-identity-store.js";

const sortColumns: Record<SortKey, string> = {
  "created-date": "s.created_at",
  "last-changed-date": "s.last_changed_at",
  // The expression of the index secrets_by_accessed.
  "last-accessed-date": "COALESCE(s.last_accessed_at, 0)",
  name: "s.name",
};

/** The indexes a walk in each sort order uses (SQLite would sometimes sort a name range instead). */
const sortIndexes: Record<SortKey, string> = {
  "created-date": "secrets_by_created",
  "last-changed-date": "secrets_by_changed",
  "last-accessed-date": "secrets_by_accessed",
  name: "secrets_by_name",
};

/**
 * How a filtered ListSecrets page is found (see `listSecrets`); each bound is a number of rows or
 * index entries for a page of `limit` secrets. Options only so that tests reach every branch with
 * a handful of secrets.
 */
export interface ListPlanLimits {
  /** A match with fewer candidates than this makes the page from its candidates alone. */
  smallSet(limit: number): number;
  /** Rows of the sort order examined before the candidates are counted again. */
  window(limit: number): number;
  /** The most candidates counted for one match. */
  maxCount: number;
}

export type ListPlan = "walk" | "candidates" | "window" | "window, then candidates" | "window, then walk";

const defaultListPlan: ListPlanLimits = {
  smallSet: (limit) => Math.max(64, 2 * limit),
  window: (limit) => 64 + 4 * limit,
  maxCount: 5_000,
};

export interface SqliteStoreOptions {
  listPlan?: ListPlanLimits;
  /** Told which plan answered each `listSecrets` call (tests). */
  onListPlan?: (plan: ListPlan) => void;
}

/** One match's candidate ids as a subquery, over the named parameters in `params`. */
interface CandidateSource {
  sql: string;
  countSql: string;
  params: Params;
}

type Params = Record<string, string | number | null>;

/**
 * The embedded engine: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each method
 * runs to completion inside one event-loop turn and every `commit` is a real transaction.
 * `synchronous = FULL` makes an acknowledged write survive a crash of the process or the machine.
 */
export class SqliteStore implements SecretStore, SettingsStore {
  private readonly pendingTouches = new Map<string, { arn: string; versionId: string; day: number }>();
  private touchFlush: NodeJS.Immediate | undefined;
  private readonly db: Database.Database;
  readonly identity: SqliteIdentityStore;
  /** Due rotations and the leases that claim them (domain/ports/rotation-schedule.ts). */
  readonly rotation: SqliteRotationSchedule;
  readonly leases: SqliteLeaseStore;
  readonly nodes: SqliteNodeRegistry;
  private readonly statements;

  private readonly listPlan: ListPlanLimits;
  private readonly onListPlan: ((plan: ListPlan) => void) | undefined;
  /** Prepared ListSecrets statements by SQL text (their shape depends on the filters only). */
  private readonly listStatements = new Map<string, Database.Statement<Params, unknown>>();

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.listPlan = options.listPlan ?? defaultListPlan;
    this.onListPlan = options.onListPlan;
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Owner-only before SQLite opens it; SQLite gives the -wal and -shm files the same mode.
      closeSync(openSync(path, "a", 0o600));
      chmodSync(path, 0o600);
    }
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    migrate(this.db);
    this.statements = this.prepare();
    this.identity = new SqliteIdentityStore(this.db);
    this.rotation = new SqliteRotationSchedule(this.db);
    this.leases = new SqliteLeaseStore(this.db);
    this.nodes = new SqliteNodeRegistry(this.db);
  }

  private prepare() {
    const db = this.db;
    return {
      secretByName: db.prepare<[string, string], SecretRow>(
        "SELECT * FROM secrets WHERE region = ? AND name = ?",
      ),
      secretByArn: db.prepare<[string], SecretRow>("SELECT * FROM secrets WHERE arn = ?"),
      // By the secret's row id where the caller holds the row (the read path), else by ARN.
      versionMetas: db.prepare<[number], VersionMetaRow>(
        "SELECT version_id, stages, created_at, last_accessed_at, kms_key_id FROM secret_versions WHERE secret_id = ? ORDER BY created_at DESC, version_id",
      ),
      versionOfSecret: db.prepare<[number, string], VersionRow>(
        "SELECT * FROM secret_versions WHERE secret_id = ? AND version_id = ?",
      ),
      versionOfSecretByStage: db.prepare<[number, string], VersionRow>(
        `SELECT v.* FROM version_stages g JOIN secret_versions v ON v.secret_id = g.secret_id AND v.version_id = g.version_id
         WHERE g.secret_id = ? AND g.stage = ?`,
      ),
      stagesOfSecret: db.prepare<[number], { stage: string; version_id: string }>(
        "SELECT stage, version_id FROM version_stages WHERE secret_id = ? ORDER BY stage",
      ),
      // One query for a page of ListSecrets: the ARNs come as one JSON array parameter.
      stagesOfSecrets: db.prepare<[string], { arn: string; stage: string; version_id: string }>(
        `SELECT s.arn, g.stage, g.version_id FROM secrets AS s JOIN version_stages AS g ON g.secret_id = s.id
         WHERE s.arn IN (SELECT value FROM json_each(?)) ORDER BY s.id, g.stage`,
      ),
      versionById: db.prepare<[string, string], VersionRow>(
        "SELECT * FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ),
      versionByStage: db.prepare<[string, string], VersionRow>(
        `SELECT v.* FROM version_stages g JOIN secret_versions v ON v.secret_id = g.secret_id AND v.version_id = g.version_id
         WHERE g.secret_id = (SELECT id FROM secrets WHERE arn = ?) AND g.stage = ?`,
      ),
      insertSecret: db.prepare(
        `INSERT INTO secrets (arn, region, name, description, kms_key_id, tags, created_at, last_changed_at,
           last_accessed_at, deleted_at, deletion_date, revision, resource_policy, seal_kek_id, seal_mac, type,
           rotation, next_rotation_at, replication, primary_region)
         VALUES (@arn, @region, @name, @description, @kms_key_id, @tags, @created_at, @last_changed_at,
           @last_accessed_at, @deleted_at, @deletion_date, @revision, @resource_policy, @seal_kek_id, @seal_mac,
           @type, @rotation, @next_rotation_at, @replication, @primary_region)`,
      ),
      updateSecret: db.prepare(
        `UPDATE secrets SET description = @description, kms_key_id = @kms_key_id, tags = @tags,
           last_changed_at = @last_changed_at, last_accessed_at = @last_accessed_at, deleted_at = @deleted_at,
           deletion_date = @deletion_date, revision = @revision,
           resource_policy = @resource_policy, seal_kek_id = @seal_kek_id, seal_mac = @seal_mac, type = @type,
           rotation = @rotation, next_rotation_at = @next_rotation_at, replication = @replication,
           primary_region = @primary_region
         WHERE arn = @arn AND revision = @expected_revision`,
      ),
      insertVersion: db.prepare(
        `INSERT INTO secret_versions (secret_id, version_id, stages, created_at, last_accessed_at, kms_key_id, kind, kek_id,
           wrapped_key, ciphertext) VALUES ((SELECT id FROM secrets WHERE arn = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      restageVersion: db.prepare(
        "UPDATE secret_versions SET stages = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ),
      deleteVersion: db.prepare(
        "DELETE FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ),
      clearStagesOf: db.prepare(
        "DELETE FROM version_stages WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ),
      insertStage: db.prepare(
        "INSERT OR REPLACE INTO version_stages (secret_id, stage, version_id) VALUES ((SELECT id FROM secrets WHERE arn = ?), ?, ?)",
      ),
      seals: db.prepare<
        [string, number],
        { arn: string; seal_kek_id: string | null; seal_mac: Buffer | null }
      >("SELECT arn, seal_kek_id, seal_mac FROM secrets WHERE arn > ? ORDER BY arn LIMIT ?"),
      reseal: db.prepare(
        `UPDATE secrets SET seal_kek_id = ?, seal_mac = ? WHERE arn = ? AND revision = ?
           AND seal_kek_id IS ? AND seal_mac IS ?`,
      ),
      replaceValue: db.prepare(
        "UPDATE secret_versions SET kind = ?, kek_id = ?, wrapped_key = ?, ciphertext = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ),
      deleteSetting: db.prepare("DELETE FROM settings WHERE key = ?"),
      touchSecret: db.prepare(
        "UPDATE secrets SET last_accessed_at = ? WHERE arn = ? AND (last_accessed_at IS NULL OR last_accessed_at < ?)",
      ),
      touchVersion: db.prepare(
        "UPDATE secret_versions SET last_accessed_at = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ? AND (last_accessed_at IS NULL OR last_accessed_at < ?)",
      ),
      dueForPurge: db
        .prepare<[number, number], string>(
          "SELECT arn FROM secrets WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?",
        )
        .pluck(),
      deleteStagesOfSecret: db.prepare(
        "DELETE FROM version_stages WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
      ),
      deleteVersionsOfSecret: db.prepare(
        "DELETE FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
      ),
      deleteSecret: db.prepare("DELETE FROM secrets WHERE arn = ?"),
      sealedValues: db.prepare<[number, string, number], VersionRow & { arn: string; secret_id: number }>(
        `SELECT v.*, s.arn FROM secret_versions AS v JOIN secrets AS s ON s.id = v.secret_id
         WHERE (v.secret_id, v.version_id) > (?, ?) ORDER BY v.secret_id, v.version_id LIMIT ?`,
      ),
      searchSourceByArn: db.prepare<
        [string],
        { id: number; name: string; description: string | null; tags: string }
      >("SELECT id, name, description, tags FROM secrets WHERE arn = ?"),
      insertTerm: db.prepare("INSERT OR IGNORE INTO secret_terms (term, kind, secret_id) VALUES (?, ?, ?)"),
      deleteTerm: db.prepare("DELETE FROM secret_terms WHERE term = ? AND kind = ? AND secret_id = ?"),
      replaceWrappedKey: db.prepare(
        "UPDATE secret_versions SET kek_id = ?, wrapped_key = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ? AND kek_id = ? AND wrapped_key = ?",
      ),
      referencedKekIds: db
        .prepare<[], string>(
          `SELECT kek_id FROM secret_versions UNION SELECT kek_id FROM access_keys
           UNION SELECT seal_kek_id FROM secrets WHERE seal_kek_id IS NOT NULL`,
        )
        .pluck(),
      anySecretVersion: db.prepare<[], number>("SELECT 1 FROM secret_versions LIMIT 1").pluck(),
      getSetting: db.prepare<[string], string>("SELECT value FROM settings WHERE key = ?").pluck(),
      initSetting: db.prepare("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)"),
    };
  }

  async findByName(region: string, name: string): Promise<SecretState | undefined> {
    return this.stateOf(this.statements.secretByName.get(region, name));
  }

  async findByArn(arn: string): Promise<SecretState | undefined> {
    return this.stateOf(this.statements.secretByArn.get(arn));
  }

  /**
   * SQLite's `data_version`: changes when another connection (another process) commits to the
   * database, not on this connection's own commits. The server polls it to notice outside changes.
   */
  /** The schema version the file holds (`/ready`). */
  async schemaVersion(): Promise<number> {
    return Number(this.db.prepare("SELECT max(version) FROM schema_migrations").pluck().get() ?? 0);
  }

  dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  async findRecordByName(region: string, name: string): Promise<SecretRecord | undefined> {
    const row = this.statements.secretByName.get(region, name);
    return row ? toSecretRecord(row) : undefined;
  }

  async findRecordByArn(arn: string): Promise<SecretRecord | undefined> {
    const row = this.statements.secretByArn.get(arn);
    return row ? toSecretRecord(row) : undefined;
  }

  private stateOf(row: SecretRow | undefined): SecretState | undefined {
    if (!row) return undefined;
    return {
      secret: toSecretRecord(row),
      versions: this.statements.versionMetas.all(row.id).map(toVersionMeta),
    };
  }

  async readVersion(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<VersionRecord | undefined> {
    const row =
      "versionId" in selector
        ? this.statements.versionById.get(arn, selector.versionId)
        : this.statements.versionByStage.get(arn, selector.stage);
    return row ? toVersionRecord(row) : undefined;
  }

  async stageMaps(arns: readonly string[]): Promise<Map<string, StageMap>> {
    const maps = new Map<string, StageMap>();
    if (arns.length === 0) return maps;
    for (const row of this.statements.stagesOfSecrets.all(JSON.stringify(arns))) {
      const map = maps.get(row.arn) ?? [];
      if (map.length === 0) maps.set(row.arn, map);
      map.push({ stage: row.stage, versionId: row.version_id });
    }
    return maps;
  }

  async readSnapshot(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<SecretSnapshot | undefined> {
    const s = this.statements;
    // One read transaction: the row, its stage map and the version come from the same commit, so a
    // concurrent writer (in this process or another) can never make them look tampered with.
    return this.db.transaction(() => {
      const row = s.secretByArn.get(arn);
      if (!row) return undefined;
      const stages: StageMap = s.stagesOfSecret
        .all(row.id)
        .map((r) => ({ stage: r.stage, versionId: r.version_id }));
      const version =
        "versionId" in selector
          ? s.versionOfSecret.get(row.id, selector.versionId)
          : s.versionOfSecretByStage.get(row.id, selector.stage);
      return {
        secret: toSecretRecord(row),
        stages,
        version: version ? toVersionRecord(version) : undefined,
      };
    })();
  }

  async listSeals(
    afterArn: string | undefined,
    limit: number,
  ): Promise<Array<{ arn: string; seal: MetadataSeal | undefined }>> {
    return this.statements.seals.all(afterArn ?? "", limit).map((row) => ({
      arn: row.arn,
      seal:
        typeof row.seal_kek_id === "string" && Buffer.isBuffer(row.seal_mac)
          ? { kekId: row.seal_kek_id, mac: row.seal_mac }
          : undefined,
    }));
  }

  async reseal(change: ResealChange): Promise<boolean> {
    const s = this.statements;
    return this.db.transaction(() => {
      const updated = s.reseal.run(
        change.seal.kekId,
        change.seal.mac,
        change.arn,
        change.expectedRevision,
        change.expectedSeal?.kekId ?? null,
        change.expectedSeal?.mac ?? null,
      );
      if (updated.changes !== 1) return false;
      for (const { versionId, value } of change.values) {
        s.replaceValue.run(
          value.kind,
          value.kekId,
          value.wrappedKey,
          value.ciphertext,
          change.arn,
          versionId,
        );
      }
      return true;
    })();
  }

  /**
   * A page of secrets in the sort order, each holding every match (the domain checks the filters
   * again). Cheapest first, so that each page costs about the same at every store size:
   * 1. a match with few candidates (counted in its index up to `smallSet`): sort those, done;
   * 2. otherwise the match is common: walk the sort order's index for up to `window` rows, checking
   *    each row's matches on the row itself; a page filled (or the end reached) is the answer;
   * 3. otherwise count again, capped at what the rest of the walk would cost at the share of rows
   *    the window found: fewer candidates than that, sort them;
   * 4. otherwise walk on to the page's end.
   * The worst case is a match of middling share, whose cost grows with the square root of the
   * store's size (a page of matches spread over the sort order, or that many candidates to sort).
   */
  async listSecrets(query: SecretListQuery): Promise<SecretRecord[]> {
    // Prefixes SQLite cannot compare as JavaScript does are left to the domain's check.
    const matches = query.matches.filter((m) => m.prefixes.length > 0 && m.prefixes.every(isWellFormed));
    const limit = query.limit;
    if (matches.length === 0) {
      this.onListPlan?.("walk");
      return this.walk(query, matches, query.after, limit, undefined).found;
    }
    const sources = matches.map((m, i) => this.candidateSource(query.region, m, i));
    const small = this.listPlan.smallSet(limit);
    const few = this.fewestCandidates(sources, small);
    if (few) {
      this.onListPlan?.("candidates");
      return this.fromCandidates(query, matches, few, limit);
    }
    const window = this.listPlan.window(limit);
    const first = this.walk(query, matches, query.after, limit, window);
    if (first.done) {
      this.onListPlan?.("window");
      return first.found;
    }
    const hits = first.found.length;
    const walkCost = hits === 0 ? Number.POSITIVE_INFINITY : ((limit - hits) * first.examined) / hits;
    const cap = Math.min(this.listPlan.maxCount, Math.ceil(walkCost));
    const rest = cap > small ? this.fewestCandidates(sources, cap) : undefined;
    if (rest) {
      this.onListPlan?.("window, then candidates");
      return this.fromCandidates(query, matches, rest, limit);
    }
    this.onListPlan?.("window, then walk");
    return [...first.found, ...this.walk(query, matches, first.last, limit - hits, undefined).found];
  }

  private statement(sql: string): Database.Statement<Params, unknown> {
    let statement = this.listStatements.get(sql);
    if (!statement) {
      if (this.listStatements.size >= 256) this.listStatements.clear();
      statement = this.db.prepare<Params, unknown>(sql);
      this.listStatements.set(sql, statement);
    }
    return statement;
  }

  /** The conditions every plan applies to the secrets row: region, deletion, cursor, name ranges. */
  private rowConditions(
    query: SecretListQuery,
    matches: ListMatch[],
    after: SecretListQuery["after"],
  ): { where: string; params: Params } {
    const column = sortColumns[query.sortBy];
    const comparison = query.order === "asc" ? ">" : "<";
    const params: Params = { region: query.region };
    const where = ["s.region = @region"];
    if (!query.includePlannedDeletion) where.push("s.deletion_date IS NULL");
    if (after) {
      params.sortValue = after.sortValue;
      params.afterArn = after.arn;
      where.push(`(${column}, s.arn) ${comparison} (@sortValue, @afterArn)`);
      // Implied by the line above, but SQLite seeks an expression index (last-accessed) only by this.
      if (query.sortBy === "last-accessed-date") where.push(`${column} ${comparison}= @sortValue`);
    }
    // Name prefixes are ranges of the row itself: always applied (index or not, they cost nothing).
    for (const [i, match] of matches.entries()) {
      if (match.field === "name") {
        where.push(`(${rangesOf(match.prefixes, "s.name", params, `w${i}`).join(" OR ")})`);
      }
    }
    return { where: where.join(" AND "), params };
  }

  private orderBy(query: SecretListQuery): string {
    const direction = query.order === "asc" ? "ASC" : "DESC";
    return `ORDER BY ${sortColumns[query.sortBy]} ${direction}, s.arn ${direction}`;
  }

  /**
   * Rows in the sort order after `after`, through the sort index, keeping those that may hold every
   * match, until `want` are kept or `maxRows` rows were examined. `done` when the answer is complete:
   * `want` kept, or the end of the order reached.
   */
  private walk(
    query: SecretListQuery,
    matches: ListMatch[],
    after: SecretListQuery["after"],
    want: number,
    maxRows: number | undefined,
  ): { found: SecretRecord[]; examined: number; last: SecretListQuery["after"]; done: boolean } {
    const { where, params } = this.rowConditions(query, matches, after);
    const sql = `SELECT s.* FROM secrets AS s INDEXED BY ${sortIndexes[query.sortBy]} WHERE ${where} ${this.orderBy(query)}${maxRows === undefined ? "" : ` LIMIT ${maxRows}`}`;
    const found: SecretRecord[] = [];
    let examined = 0;
    let last = after;
    if (want <= 0) return { found, examined, last, done: true };
    for (const row of this.statement(sql).iterate(params) as IterableIterator<SecretRow>) {
      examined++;
      last = { sortValue: sortValueOf(row, query.sortBy), arn: row.arn };
      const secret = toSecretRecord(row);
      if (matches.every((m) => mayHold(m, secret))) found.push(secret);
      if (found.length === want) break;
    }
    const done = found.length === want || maxRows === undefined || examined < maxRows;
    return { found, examined, last, done };
  }

  /** The page from one match's candidates: fetched by id, sorted, checked against every match. */
  private fromCandidates(
    query: SecretListQuery,
    matches: ListMatch[],
    source: CandidateSource,
    limit: number,
  ): SecretRecord[] {
    const { where, params } = this.rowConditions(query, matches, query.after);
    const sql = `SELECT s.* FROM (${source.sql}) AS c CROSS JOIN secrets AS s ON s.id = c.id WHERE ${where} ${this.orderBy(query)}`;
    const found: SecretRecord[] = [];
    for (const row of this.statement(sql).iterate({
      ...params,
      ...source.params,
    }) as IterableIterator<SecretRow>) {
      const secret = toSecretRecord(row);
      if (!matches.every((m) => mayHold(m, secret))) continue;
      found.push(secret);
      if (found.length === limit) break;
    }
    return found;
  }

  /** One match's candidate ids: a range of the name index, or of `secret_terms`. */
  private candidateSource(region: string, match: ListMatch, i: number): CandidateSource {
    const params: Params = { region };
    const field = match.field;
    const selects =
      field === "name"
        ? rangesOf(match.prefixes, "name", params, `m${i}`).map(
            (range) => `SELECT id FROM secrets WHERE region = @region AND ${range}`,
          )
        : rangesOf(match.prefixes, "term", params, `m${i}`).map(
            (range) =>
              `SELECT DISTINCT secret_id AS id FROM secret_terms WHERE ${range} AND kind IN (${kindsOf(field).join(", ")})`,
          );
    return {
      sql: selects.join(" UNION "),
      countSql: `SELECT count(*) AS n FROM (${selects.join(" UNION ALL ")} LIMIT @cap)`,
      params,
    };
  }

  /** The source with the fewest candidates (index entries, counted up to `cap`), if below `cap`. */
  private fewestCandidates(sources: CandidateSource[], cap: number): CandidateSource | undefined {
    let best: CandidateSource | undefined;
    let bound = cap;
    for (const source of sources) {
      const row = this.statement(source.countSql).get({ ...source.params, cap: bound }) as
        | { n: number }
        | undefined;
      const count = row?.n ?? bound;
      if (count < bound) {
        best = source;
        bound = count;
      }
    }
    return best;
  }

  /**
   * Bulk loading only (bench/seed-store.mjs): the commits `work` makes share one transaction, each
   * a savepoint inside it, committed once at the end (or rolled back if `work` fails). Nothing
   * else may use the store meanwhile; the server never calls this.
   */
  async inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    this.db.exec("BEGIN");
    try {
      const result = await work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async commit(change: SecretChange): Promise<void> {
    this.db.transaction(() => this.applyChange(change))();
  }

  async commitMany(changes: readonly SecretChange[], purges: readonly string[] = []): Promise<void> {
    this.db.transaction(() => {
      for (const arn of purges) this.purgeRows(arn);
      for (const change of changes) this.applyChange(change);
    })();
  }

  /** One change's writes; the caller runs it inside a transaction. */
  private applyChange(change: SecretChange): void {
    const s = this.statements;
    const arn = change.secret.arn;
    {
      if (change.kind === "create") {
        if (s.secretByName.get(change.secret.region, change.secret.name) || s.secretByArn.get(arn)) {
          throw new StoreConflictError("name-taken", "a secret with this name already exists");
        }
        const inserted = s.insertSecret.run(secretParams(change.secret));
        for (const { term, kind } of searchTermsOf(change.secret)) {
          s.insertTerm.run(term, kind, inserted.lastInsertRowid);
        }
      } else {
        const before = s.searchSourceByArn.get(arn);
        const updated = s.updateSecret.run({
          ...secretParams(change.secret),
          expected_revision: change.expectedRevision,
        });
        if (updated.changes !== 1) {
          throw new StoreConflictError("revision-changed", "the secret changed since it was read");
        }
        if (before) this.replaceTerms(before, change.secret);
      }
      for (const versionId of change.removeVersions) s.deleteVersion.run(arn, versionId);
      for (const version of change.addVersions) {
        s.insertVersion.run(
          arn,
          version.versionId,
          JSON.stringify(version.stages),
          version.createdAt,
          version.lastAccessedAt ?? null,
          version.kmsKeyId ?? null,
          version.value.kind,
          version.value.kekId,
          version.value.wrappedKey,
          version.value.ciphertext,
        );
      }
      for (const version of change.restage) {
        s.restageVersion.run(JSON.stringify(version.stages), arn, version.versionId);
      }
      // Clear first, then insert: a label moving between two restaged versions must not be lost.
      const staged = [...change.restage, ...change.addVersions];
      for (const version of staged) s.clearStagesOf.run(arn, version.versionId);
      for (const version of staged) {
        for (const stage of version.stages) s.insertStage.run(arn, stage, version.versionId);
      }
    }
  }

  /** Keeps `secret_terms` in step with a changed name, description or tags. */
  private replaceTerms(
    before: { id: number; name: string; description: string | null; tags: string },
    after: SecretRecord,
  ): void {
    const s = this.statements;
    const old = searchTermsOf({
      name: before.name,
      description: before.description ?? undefined,
      tags: JSON.parse(before.tags),
    });
    const next = searchTermsOf(after);
    const key = (t: { term: string; kind: number }) => `${t.kind}\u0000${t.term}`;
    const keep = new Set(next.map(key));
    const had = new Set(old.map(key));
    for (const t of old) if (!keep.has(key(t))) s.deleteTerm.run(t.term, t.kind, before.id);
    for (const t of next) if (!had.has(key(t))) s.insertTerm.run(t.term, t.kind, before.id);
  }

  /**
   * Read days are gathered and written by the next `setImmediate`, all in ONE transaction: a durable
   * commit per first read of a day would block the event loop on an fsync per secret (a store of a
   * million secrets read once each morning). The date is day-granular bookkeeping, not a change a
   * client made: a crash may lose the day of the last turn's reads, never a secret or a version.
   */
  async touchAccessed(arn: string, versionId: string, day: number): Promise<void> {
    this.pendingTouches.set(`${arn}\n${versionId}`, { arn, versionId, day });
    if (this.touchFlush !== undefined) return;
    this.touchFlush = setImmediate(() => this.flushTouches());
  }

  private flushTouches(): void {
    this.touchFlush = undefined;
    const touches = [...this.pendingTouches.values()];
    this.pendingTouches.clear();
    if (touches.length === 0 || !this.db.open) return;
    try {
      this.db.transaction(() => {
        for (const { arn, versionId, day } of touches) {
          this.statements.touchSecret.run(day, arn, day);
          this.statements.touchVersion.run(day, arn, versionId, day);
        }
      })();
    } catch {
      // Bookkeeping only (see touchAccessed): a store that cannot take it now takes the next day's.
    }
  }

  async listDueForPurge(now: number, limit: number): Promise<string[]> {
    return this.statements.dueForPurge.all(now, limit);
  }

  async purge(arn: string): Promise<void> {
    this.db.transaction(() => this.purgeRows(arn))();
  }

  private purgeRows(arn: string): void {
    const s = this.statements;
    {
      const before = s.searchSourceByArn.get(arn);
      if (before) {
        const terms = searchTermsOf({
          name: before.name,
          description: before.description ?? undefined,
          tags: JSON.parse(before.tags),
        });
        for (const t of terms) s.deleteTerm.run(t.term, t.kind, before.id);
      }
      s.deleteStagesOfSecret.run(arn);
      s.deleteVersionsOfSecret.run(arn);
      s.deleteSecret.run(arn);
    }
  }

  async listSealedValues(afterKey: string | undefined, limit: number): Promise<SealedValueRow[]> {
    // The key is the (secret id, version id) pair: rows in the version table's own key order.
    const [afterId, afterVersion] =
      afterKey === undefined ? [0, ""] : (JSON.parse(afterKey) as [number, string]);
    const rows = this.statements.sealedValues.all(afterId, afterVersion, limit);
    return rows.map((row) => ({
      key: JSON.stringify([row.secret_id, row.version_id]),
      arn: row.arn,
      versionId: row.version_id,
      value: toVersionRecord(row).value,
    }));
  }

  async replaceWrappedKey(row: SealedValueRow, replacement: { kekId: string; wrappedKey: Buffer }) {
    const result = this.statements.replaceWrappedKey.run(
      replacement.kekId,
      replacement.wrappedKey,
      row.arn,
      row.versionId,
      row.value.kekId,
      row.value.wrappedKey,
    );
    return result.changes === 1;
  }

  async referencedKekIds(): Promise<string[]> {
    return this.statements.referencedKekIds.all();
  }

  /** Whether any secret version is stored (deleted-but-recoverable ones included). */
  async holdsSecretVersions(): Promise<boolean> {
    return this.statements.anySecretVersion.get() !== undefined;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.statements.getSetting.get(key);
  }

  async initSetting(key: string, value: string): Promise<string> {
    this.statements.initSetting.run(key, value);
    return this.statements.getSetting.get(key) ?? value;
  }

  async deleteSetting(key: string): Promise<void> {
    this.statements.deleteSetting.run(key);
  }

  async close(): Promise<void> {
    if (this.touchFlush !== undefined) clearImmediate(this.touchFlush);
    this.flushTouches();
    this.db.close();
  }
}

function sortValueOf(row: SecretRow, sortBy: SortKey): string | number {
  switch (sortBy) {
    case "name":
      return row.name;
    case "created-date":
      return row.created_at;
    case "last-changed-date":
      return row.last_changed_at;
    case "last-accessed-date":
      return row.last_accessed_at ?? 0;
  }
}

/** `column` starts with one of the prefixes, as SQL ranges over named parameters added to `params`. */
function rangesOf(prefixes: string[], column: string, params: Params, tag: string): string[] {
  return prefixes.map((prefix, i) => {
    const low = `${tag}l${i}`;
    const high = `${tag}h${i}`;
    params[low] = prefix;
    const upper = prefixUpperBound(prefix);
    if (upper === undefined) return `${column} >= @${low}`;
    params[high] = upper;
    return `(${column} >= @${low} AND ${column} < @${high})`;
  });
}
