import type pg from "pg";
import type { MetadataSeal } from "../../crypto/envelope.js";
import {
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
// The row mapping and the search terms are the SQLite engine's, shared so that both engines store
// the same texts (and so the same sealed bytes) and index the same words.
import {
  type SecretRow,
  secretParams,
  toSecretRecord,
  toVersionMeta,
  toVersionRecord,
  type VersionMetaRow,
  type VersionRow,
} from "../sqlite/rows.js";
import { isWellFormed, kindsOf, prefixUpperBound, searchTermsOf } from "../sqlite/search-terms.js";
import { announceChanges, type ChangedSecret } from "./change-feed.js";
import type { Database } from "./connection.js";

const sortColumns: Record<SortKey, string> = {
  "created-date": "s.created_at",
  "last-changed-date": "s.last_changed_at",
  // The expression of the index secrets_by_accessed.
  "last-accessed-date": "COALESCE(s.last_accessed_at, 0)",
  name: "s.name",
};

const secretColumns = `arn, region, name, description, kms_key_id, tags, created_at, last_changed_at,
  last_accessed_at, deleted_at, deletion_date, revision, resource_policy, seal_kek_id, seal_mac, type,
  rotation, next_rotation_at, replication, primary_region`;
const secretColumnNames = secretColumns.split(",").map((c) => c.trim()) as Array<
  keyof ReturnType<typeof secretParams>
>;

/** The version metadata of a secret row, newest first, as one JSON array (one statement, one snapshot). */
const versionsOfRow = `(SELECT COALESCE(json_agg(json_build_object('version_id', v.version_id, 'stages', v.stages,
    'created_at', v.created_at, 'last_accessed_at', v.last_accessed_at, 'kms_key_id', v.kms_key_id)
    ORDER BY v.created_at DESC, v.version_id), '[]'::json)
  FROM secret_versions AS v WHERE v.secret_id = s.id) AS versions`;

interface Touch {
  arn: string;
  versionId: string;
  day: number;
  /** Flushes that found the row locked so far. */
  attempts: number;
}

const maxTouchAttempts = 5;
const touchRetryMs = 50;

type SearchSource = { id: number; name: string; description: string | null; tags: string };

/**
 * The shared engine: many stateless nodes on one PostgreSQL database. Same semantics as
 * SqliteStore (storage/sqlite/sqlite-store.ts): every write is one transaction guarded by the
 * secret's revision; a create that loses a race for the name, even to another node, is a
 * `name-taken` conflict. Every transaction that changes secret rows announces them
 * (change-feed.ts) so the other nodes drop what they cached.
 */
export class PostgresSecretStore implements SecretStore, SettingsStore {
  private readonly pendingTouches = new Map<string, Touch>();
  private touchFlush: NodeJS.Immediate | undefined;
  /** Touches of rows that were locked at the last flush, tried again after a moment. */
  private touchRetry: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly nodeId: string,
  ) {}

  async findByName(region: string, name: string): Promise<SecretState | undefined> {
    const { rows } = await this.db.query<SecretRow & { versions: VersionMetaRow[] }>(
      `SELECT s.*, ${versionsOfRow} FROM secrets AS s WHERE s.region = $1 AND s.name = $2`,
      [region, name],
    );
    return stateOf(rows[0]);
  }

  async findByArn(arn: string): Promise<SecretState | undefined> {
    const { rows } = await this.db.query<SecretRow & { versions: VersionMetaRow[] }>(
      `SELECT s.*, ${versionsOfRow} FROM secrets AS s WHERE s.arn = $1`,
      [arn],
    );
    return stateOf(rows[0]);
  }

  async findRecordByName(region: string, name: string): Promise<SecretRecord | undefined> {
    const { rows } = await this.db.query<SecretRow>("SELECT * FROM secrets WHERE region = $1 AND name = $2", [
      region,
      name,
    ]);
    return rows[0] ? toSecretRecord(rows[0]) : undefined;
  }

  async findRecordByArn(arn: string): Promise<SecretRecord | undefined> {
    const { rows } = await this.db.query<SecretRow>("SELECT * FROM secrets WHERE arn = $1", [arn]);
    return rows[0] ? toSecretRecord(rows[0]) : undefined;
  }

  async readVersion(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<VersionRecord | undefined> {
    const { rows } = await this.db.query<VersionRow>(
      "versionId" in selector
        ? "SELECT v.* FROM secret_versions AS v WHERE v.secret_id = (SELECT id FROM secrets WHERE arn = $1) AND v.version_id = $2"
        : `SELECT v.* FROM version_stages AS g JOIN secret_versions AS v ON v.secret_id = g.secret_id AND v.version_id = g.version_id
           WHERE g.secret_id = (SELECT id FROM secrets WHERE arn = $1) AND g.stage = $2`,
      [arn, "versionId" in selector ? selector.versionId : selector.stage],
    );
    return rows[0] ? toVersionRecord(rows[0]) : undefined;
  }

  async readSnapshot(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<SecretSnapshot | undefined> {
    // One statement, so one snapshot: the row, its stage map and the version come from the same
    // commit, and a concurrent writer on any node can never make them look tampered with.
    const versionId =
      "versionId" in selector
        ? "$2::text"
        : "(SELECT g.version_id FROM version_stages AS g WHERE g.secret_id = s.id AND g.stage = $2)";
    const { rows } = await this.db.query<
      SecretRow & {
        stage_names: string[];
        stage_versions: string[];
        v_version_id: string | null;
        v_stages: string;
        v_created_at: number;
        v_last_accessed_at: number | null;
        v_kms_key_id: string | null;
        v_kind: string;
        v_kek_id: string;
        v_wrapped_key: Buffer;
        v_ciphertext: Buffer;
      }
    >(
      `SELECT s.*,
         ARRAY(SELECT g.stage FROM version_stages AS g WHERE g.secret_id = s.id ORDER BY g.stage) AS stage_names,
         ARRAY(SELECT g.version_id FROM version_stages AS g WHERE g.secret_id = s.id ORDER BY g.stage) AS stage_versions,
         v.version_id AS v_version_id, v.stages AS v_stages, v.created_at AS v_created_at,
         v.last_accessed_at AS v_last_accessed_at, v.kms_key_id AS v_kms_key_id, v.kind AS v_kind,
         v.kek_id AS v_kek_id, v.wrapped_key AS v_wrapped_key, v.ciphertext AS v_ciphertext
       FROM secrets AS s
       LEFT JOIN secret_versions AS v ON v.secret_id = s.id AND v.version_id = ${versionId}
       WHERE s.arn = $1`,
      [arn, "versionId" in selector ? selector.versionId : selector.stage],
    );
    const row = rows[0];
    if (!row) return undefined;
    const stages: StageMap = row.stage_names.map((stage, i) => ({
      stage,
      versionId: row.stage_versions[i] ?? "",
    }));
    const version =
      row.v_version_id === null
        ? undefined
        : toVersionRecord({
            version_id: row.v_version_id,
            stages: row.v_stages,
            created_at: row.v_created_at,
            last_accessed_at: row.v_last_accessed_at,
            kms_key_id: row.v_kms_key_id,
            kind: row.v_kind,
            kek_id: row.v_kek_id,
            wrapped_key: row.v_wrapped_key,
            ciphertext: row.v_ciphertext,
          });
    return { secret: toSecretRecord(row), stages, version };
  }

  async stageMaps(arns: readonly string[]): Promise<Map<string, StageMap>> {
    const maps = new Map<string, StageMap>();
    if (arns.length === 0) return maps;
    const { rows } = await this.db.query<{ arn: string; stage: string; version_id: string }>(
      `SELECT s.arn, g.stage, g.version_id FROM secrets AS s JOIN version_stages AS g ON g.secret_id = s.id
       WHERE s.arn = ANY($1::text[]) ORDER BY s.id, g.stage`,
      [arns],
    );
    for (const row of rows) {
      const map = maps.get(row.arn) ?? [];
      if (map.length === 0) maps.set(row.arn, map);
      map.push({ stage: row.stage, versionId: row.version_id });
    }
    return maps;
  }

  /**
   * A page of secrets in the sort order, each holding every match, as ONE statement: the row
   * conditions (region, deletion, keyset cursor, name prefix ranges on the row's own index) and one
   * semi-join per other match into `secret_terms` ranges. PostgreSQL's planner, which sees the
   * actual prefixes, picks between walking the sort index (testing terms through
   * secret_terms_by_secret) and collecting a rare match's candidates, which SqliteStore plans by hand.
   */
  async listSecrets(query: SecretListQuery): Promise<SecretRecord[]> {
    // Prefixes that are not well-formed text (lone surrogates) are left to the domain's check.
    const matches = query.matches.filter((m) => m.prefixes.length > 0 && m.prefixes.every(isWellFormed));
    const column = sortColumns[query.sortBy];
    const params: unknown[] = [query.region];
    const param = (value: unknown, type: string) => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const where = ["s.region = $1"];
    if (!query.includePlannedDeletion) where.push("s.deletion_date IS NULL");
    if (query.after) {
      const comparison = query.order === "asc" ? ">" : "<";
      const value =
        query.sortBy === "name"
          ? param(String(query.after.sortValue), "text")
          : param(Number(query.after.sortValue), "bigint");
      where.push(`(${column}, s.arn) ${comparison} (${value}, ${param(query.after.arn, "text")})`);
    }
    for (const match of matches) {
      if (match.field === "name") {
        where.push(`(${rangesOf(match.prefixes, "s.name", param).join(" OR ")})`);
      } else {
        where.push(
          `EXISTS (SELECT 1 FROM secret_terms AS t WHERE t.secret_id = s.id AND t.kind = ANY(${param(
            kindsOf(match.field),
            "smallint[]",
          )}) AND (${rangesOf(match.prefixes, "t.term", param).join(" OR ")}))`,
        );
      }
    }
    const direction = query.order === "asc" ? "ASC" : "DESC";
    const sql = `SELECT s.* FROM secrets AS s WHERE ${where.join(" AND ")}
      ORDER BY ${column} ${direction}, s.arn ${direction} LIMIT ${param(Math.max(0, query.limit), "bigint")}`;
    const { rows } = await this.db.query<SecretRow>(sql, params);
    return rows.map(toSecretRecord);
  }

  async commit(change: SecretChange): Promise<void> {
    await this.db.transaction(async (client) => {
      const changed = [await this.applyChange(client, change)];
      await announceChanges(client, this.nodeId, changed);
    });
  }

  async commitMany(changes: readonly SecretChange[], purges: readonly string[] = []): Promise<void> {
    await this.db.transaction(async (client) => {
      const changed: ChangedSecret[] = [];
      for (const arn of purges) {
        const purged = await this.purgeRows(client, arn);
        if (purged) changed.push(purged);
      }
      for (const change of changes) changed.push(await this.applyChange(client, change));
      await announceChanges(client, this.nodeId, changed);
    });
  }

  /** One change's writes; the caller runs it inside a transaction. */
  private async applyChange(client: pg.PoolClient, change: SecretChange): Promise<ChangedSecret> {
    const secret = change.secret;
    const values = secretParams(secret);
    let id: number;
    if (change.kind === "create") {
      // ON CONFLICT DO NOTHING covers both the ARN and the (region, name): a racing insert from
      // another node is waited for, and once committed is a conflict like any other.
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO secrets (${secretColumns}) VALUES (${secretColumnNames.map((_, i) => `$${i + 1}`).join(", ")})
         ON CONFLICT DO NOTHING RETURNING id`,
        secretColumnNames.map((c) => values[c]),
      );
      const row = inserted.rows[0];
      if (!row) throw new StoreConflictError("name-taken", "a secret with this name already exists");
      id = row.id;
      await insertTerms(client, id, searchTermsOf(secret));
    } else {
      // Locked as read: a concurrent commit with the same expected revision waits, then finds the
      // revision moved on.
      const before = await client.query<SearchSource>(
        "SELECT id, name, description, tags FROM secrets WHERE arn = $1 AND revision = $2 FOR UPDATE",
        [secret.arn, change.expectedRevision],
      );
      const row = before.rows[0];
      if (!row) throw new StoreConflictError("revision-changed", "the secret changed since it was read");
      id = row.id;
      await client.query(
        `UPDATE secrets SET description = $2, kms_key_id = $3, tags = $4, last_changed_at = $5,
           last_accessed_at = $6, deleted_at = $7, deletion_date = $8, revision = $9, resource_policy = $10,
           seal_kek_id = $11, seal_mac = $12, type = $13, rotation = $14, next_rotation_at = $15,
           replication = $16, primary_region = $17
         WHERE id = $1`,
        [
          id,
          values.description,
          values.kms_key_id,
          values.tags,
          values.last_changed_at,
          values.last_accessed_at,
          values.deleted_at,
          values.deletion_date,
          values.revision,
          values.resource_policy,
          values.seal_kek_id,
          values.seal_mac,
          values.type,
          values.rotation,
          values.next_rotation_at,
          values.replication,
          values.primary_region,
        ],
      );
      await replaceTerms(client, row, secret);
    }
    if (change.removeVersions.length > 0) {
      await client.query(
        "DELETE FROM secret_versions WHERE secret_id = $1 AND version_id = ANY($2::text[])",
        [id, change.removeVersions],
      );
    }
    for (const version of change.addVersions) {
      await client.query(
        `INSERT INTO secret_versions (secret_id, version_id, stages, created_at, last_accessed_at, kms_key_id, kind,
           kek_id, wrapped_key, ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          version.versionId,
          JSON.stringify(version.stages),
          version.createdAt,
          version.lastAccessedAt ?? null,
          version.kmsKeyId ?? null,
          version.value.kind,
          version.value.kekId,
          version.value.wrappedKey,
          version.value.ciphertext,
        ],
      );
    }
    for (const version of change.restage) {
      await client.query("UPDATE secret_versions SET stages = $1 WHERE secret_id = $2 AND version_id = $3", [
        JSON.stringify(version.stages),
        id,
        version.versionId,
      ]);
    }
    // Clear first, then insert: a label moving between two restaged versions must not be lost. As
    // SQLite's INSERT OR REPLACE in order, the last version naming a stage gets it.
    const staged = [...change.restage, ...change.addVersions];
    if (staged.length > 0) {
      await client.query("DELETE FROM version_stages WHERE secret_id = $1 AND version_id = ANY($2::text[])", [
        id,
        staged.map((v) => v.versionId),
      ]);
      const owner = new Map<string, string>();
      for (const version of staged) for (const stage of version.stages) owner.set(stage, version.versionId);
      if (owner.size > 0) {
        await client.query(
          `INSERT INTO version_stages (secret_id, stage, version_id)
           SELECT $1, t.stage, t.version_id FROM unnest($2::text[], $3::text[]) AS t(stage, version_id)
           ON CONFLICT (secret_id, stage) DO UPDATE SET version_id = excluded.version_id`,
          [id, [...owner.keys()], [...owner.values()]],
        );
      }
    }
    return { arn: secret.arn, name: secret.name, region: secret.region };
  }

  /**
   * Read days are gathered and written on the next `setImmediate`, two statements for the lot
   * (SqliteStore batches the same way): bookkeeping, not a change a client made, so it is not
   * announced to other nodes. A row another transaction holds (a commit, another node's flush) is
   * skipped rather than waited for, so a flush never blocks or deadlocks a write; its touch is tried
   * again a moment later (a few times). `close` writes what is still pending.
   */
  async touchAccessed(arn: string, versionId: string, day: number): Promise<void> {
    if (this.closed) return;
    this.queueTouch({ arn, versionId, day, attempts: 0 });
    this.scheduleFlush();
  }

  private queueTouch(touch: Touch): void {
    const key = `${touch.arn}\n${touch.versionId}`;
    const queued = this.pendingTouches.get(key);
    if (!queued || queued.day < touch.day) this.pendingTouches.set(key, touch);
  }

  private scheduleFlush(): void {
    if (this.touchFlush !== undefined) return;
    this.touchFlush = setImmediate(() => {
      this.touchFlush = undefined;
      this.flushing = this.flushing.then(() => this.flushTouches());
    });
  }

  private async flushTouches(): Promise<void> {
    const touches = [...this.pendingTouches.values()];
    this.pendingTouches.clear();
    if (touches.length === 0) return;
    const secretDays = new Map<string, number>();
    for (const { arn, day } of touches) secretDays.set(arn, Math.max(day, secretDays.get(arn) ?? day));
    // `wanted`: rows older than the day (statement snapshot); `due`: those of them locked for the
    // update, skipping rows another transaction holds; the rest come back to be tried again.
    const skippedSecrets = new Set<string>();
    const skippedVersions = new Set<string>();
    try {
      const secrets = await this.db.query<{ arn: string }>(
        `WITH t AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS t(arn, day)),
              wanted AS (SELECT s.id, s.arn FROM secrets AS s JOIN t ON s.arn = t.arn
                         WHERE s.last_accessed_at IS NULL OR s.last_accessed_at < t.day),
              due AS (SELECT s.id, t.day FROM secrets AS s JOIN t ON s.arn = t.arn
                      WHERE s.last_accessed_at IS NULL OR s.last_accessed_at < t.day
                      FOR UPDATE OF s SKIP LOCKED),
              done AS (UPDATE secrets AS s SET last_accessed_at = due.day FROM due WHERE s.id = due.id RETURNING s.id)
         SELECT arn FROM wanted WHERE id NOT IN (SELECT id FROM done)`,
        [[...secretDays.keys()], [...secretDays.values()]],
      );
      for (const { arn } of secrets.rows) skippedSecrets.add(arn);
      const versions = await this.db.query<{ arn: string; version_id: string }>(
        `WITH t AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(arn, version_id, day)),
              wanted AS (SELECT v.secret_id, v.version_id, t.arn FROM secret_versions AS v
                         JOIN secrets AS s ON s.id = v.secret_id JOIN t ON s.arn = t.arn AND v.version_id = t.version_id
                         WHERE v.last_accessed_at IS NULL OR v.last_accessed_at < t.day),
              due AS (SELECT v.secret_id, v.version_id, t.day FROM secret_versions AS v
                      JOIN secrets AS s ON s.id = v.secret_id JOIN t ON s.arn = t.arn AND v.version_id = t.version_id
                      WHERE v.last_accessed_at IS NULL OR v.last_accessed_at < t.day
                      FOR UPDATE OF v SKIP LOCKED),
              done AS (UPDATE secret_versions AS v SET last_accessed_at = due.day FROM due
                       WHERE v.secret_id = due.secret_id AND v.version_id = due.version_id
                       RETURNING v.secret_id, v.version_id)
         SELECT w.arn, w.version_id FROM wanted AS w
         WHERE (w.secret_id, w.version_id) NOT IN (SELECT secret_id, version_id FROM done)`,
        [touches.map((t) => t.arn), touches.map((t) => t.versionId), touches.map((t) => t.day)],
      );
      for (const row of versions.rows) skippedVersions.add(`${row.arn}\n${row.version_id}`);
    } catch {
      // Bookkeeping only (see touchAccessed): a store that cannot take it now takes the next day's.
      return;
    }
    const retry = touches.filter(
      (t) =>
        t.attempts < maxTouchAttempts &&
        (skippedSecrets.has(t.arn) || skippedVersions.has(`${t.arn}\n${t.versionId}`)),
    );
    if (retry.length === 0 || this.closed) return;
    for (const touch of retry) this.queueTouch({ ...touch, attempts: touch.attempts + 1 });
    // Doubling waits (50 ms to 800 ms, 1.5 s in all): a commit holds its rows for milliseconds.
    const attempts = Math.min(...retry.map((t) => t.attempts));
    if (this.touchRetry === undefined) {
      this.touchRetry = setTimeout(
        () => {
          this.touchRetry = undefined;
          this.scheduleFlush();
        },
        touchRetryMs * 2 ** attempts,
      );
      this.touchRetry.unref();
    }
  }

  async listDueForPurge(now: number, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ arn: string }>(
      "SELECT arn FROM secrets WHERE deletion_date IS NOT NULL AND deletion_date <= $1 ORDER BY deletion_date LIMIT $2",
      [now, limit],
    );
    return rows.map((r) => r.arn);
  }

  async purge(arn: string): Promise<void> {
    await this.db.transaction(async (client) => {
      const purged = await this.purgeRows(client, arn);
      await announceChanges(client, this.nodeId, purged ? [purged] : []);
    });
  }

  /** Deletes the secret with its search terms (versions and stages follow by cascade). */
  private async purgeRows(client: pg.PoolClient, arn: string): Promise<ChangedSecret | undefined> {
    const { rows } = await client.query<SearchSource & { region: string }>(
      "SELECT id, name, region, description, tags FROM secrets WHERE arn = $1 FOR UPDATE",
      [arn],
    );
    const row = rows[0];
    if (!row) return undefined;
    await client.query("DELETE FROM secret_terms WHERE secret_id = $1", [row.id]);
    await client.query("DELETE FROM secrets WHERE id = $1", [row.id]);
    return { arn, name: row.name, region: row.region };
  }

  async listSealedValues(afterKey: string | undefined, limit: number): Promise<SealedValueRow[]> {
    // The key is the (secret id, version id) pair: rows in the version table's own key order.
    const [afterId, afterVersion] =
      afterKey === undefined ? [0, ""] : (JSON.parse(afterKey) as [number, string]);
    const { rows } = await this.db.query<VersionRow & { arn: string; secret_id: number }>(
      `SELECT v.*, s.arn FROM secret_versions AS v JOIN secrets AS s ON s.id = v.secret_id
       WHERE (v.secret_id, v.version_id) > ($1::bigint, $2::text) ORDER BY v.secret_id, v.version_id LIMIT $3`,
      [afterId, afterVersion, limit],
    );
    return rows.map((row) => ({
      key: JSON.stringify([row.secret_id, row.version_id]),
      arn: row.arn,
      versionId: row.version_id,
      value: toVersionRecord(row).value,
    }));
  }

  async replaceWrappedKey(
    row: SealedValueRow,
    replacement: { kekId: string; wrappedKey: Buffer },
  ): Promise<boolean> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ name: string; region: string }>(
        `UPDATE secret_versions AS v SET kek_id = $1, wrapped_key = $2 FROM secrets AS s
         WHERE s.arn = $3 AND v.secret_id = s.id AND v.version_id = $4 AND v.kek_id = $5 AND v.wrapped_key = $6
         RETURNING s.name, s.region`,
        [
          replacement.kekId,
          replacement.wrappedKey,
          row.arn,
          row.versionId,
          row.value.kekId,
          row.value.wrappedKey,
        ],
      );
      const changed = rows[0];
      if (!changed) return false;
      await announceChanges(client, this.nodeId, [{ arn: row.arn, ...changed }]);
      return true;
    });
  }

  async listSeals(
    afterArn: string | undefined,
    limit: number,
  ): Promise<Array<{ arn: string; seal: MetadataSeal | undefined }>> {
    const { rows } = await this.db.query<{
      arn: string;
      seal_kek_id: string | null;
      seal_mac: Buffer | null;
    }>("SELECT arn, seal_kek_id, seal_mac FROM secrets WHERE arn > $1 ORDER BY arn LIMIT $2", [
      afterArn ?? "",
      limit,
    ]);
    return rows.map((row) => ({
      arn: row.arn,
      seal:
        typeof row.seal_kek_id === "string" && Buffer.isBuffer(row.seal_mac)
          ? { kekId: row.seal_kek_id, mac: row.seal_mac }
          : undefined,
    }));
  }

  async reseal(change: ResealChange): Promise<boolean> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ id: number; name: string; region: string }>(
        `UPDATE secrets SET seal_kek_id = $1, seal_mac = $2 WHERE arn = $3 AND revision = $4
           AND seal_kek_id IS NOT DISTINCT FROM $5 AND seal_mac IS NOT DISTINCT FROM $6
         RETURNING id, name, region`,
        [
          change.seal.kekId,
          change.seal.mac,
          change.arn,
          change.expectedRevision,
          change.expectedSeal?.kekId ?? null,
          change.expectedSeal?.mac ?? null,
        ],
      );
      const row = rows[0];
      if (!row) return false;
      for (const { versionId, value } of change.values) {
        await client.query(
          "UPDATE secret_versions SET kind = $1, kek_id = $2, wrapped_key = $3, ciphertext = $4 WHERE secret_id = $5 AND version_id = $6",
          [value.kind, value.kekId, value.wrappedKey, value.ciphertext, row.id, versionId],
        );
      }
      await announceChanges(client, this.nodeId, [{ arn: change.arn, name: row.name, region: row.region }]);
      return true;
    });
  }

  async referencedKekIds(): Promise<string[]> {
    const { rows } = await this.db.query<{ kek_id: string }>(
      `SELECT kek_id FROM secret_versions UNION SELECT kek_id FROM access_keys
       UNION SELECT seal_kek_id FROM secrets WHERE seal_kek_id IS NOT NULL`,
    );
    return rows.map((r) => r.kek_id);
  }

  /** Whether any secret version is stored (deleted-but-recoverable ones included). */
  async holdsSecretVersions(): Promise<boolean> {
    const { rows } = await this.db.query("SELECT 1 FROM secret_versions LIMIT 1");
    return rows.length > 0;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ value: string }>("SELECT value FROM settings WHERE key = $1", [
      key,
    ]);
    return rows[0]?.value;
  }

  async initSetting(key: string, value: string): Promise<string> {
    // Two statements, not one: the SELECT's snapshot is taken after the INSERT waited out a racing
    // node's insert of the same key, so it sees whichever value won.
    await this.db.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
      key,
      value,
    ]);
    return (await this.getSetting(key)) ?? value;
  }

  async deleteSetting(key: string): Promise<void> {
    await this.db.query("DELETE FROM settings WHERE key = $1", [key]);
  }

  /** Writes the read days still pending; the pool is closed by its owner (openPostgresStores). */
  async close(): Promise<void> {
    if (this.closed) return this.flushing;
    this.closed = true;
    clearTimeout(this.touchRetry);
    this.touchRetry = undefined;
    if (this.touchFlush !== undefined) {
      clearImmediate(this.touchFlush);
      this.touchFlush = undefined;
    }
    // The last flush: what a row lock skips now is left (closed: no retry).
    this.flushing = this.flushing.then(() => this.flushTouches());
    await this.flushing;
  }
}

function stateOf(row: (SecretRow & { versions: VersionMetaRow[] }) | undefined): SecretState | undefined {
  if (!row) return undefined;
  return { secret: toSecretRecord(row), versions: row.versions.map(toVersionMeta) };
}

async function insertTerms(
  client: pg.PoolClient,
  id: number,
  terms: ReadonlyArray<{ term: string; kind: number }>,
): Promise<void> {
  if (terms.length === 0) return;
  await client.query(
    `INSERT INTO secret_terms (term, kind, secret_id)
     SELECT t.term, t.kind, $1 FROM unnest($2::text[], $3::smallint[]) AS t(term, kind) ON CONFLICT DO NOTHING`,
    [id, terms.map((t) => t.term), terms.map((t) => t.kind)],
  );
}

/** Keeps `secret_terms` in step with a changed name, description or tags. */
async function replaceTerms(client: pg.PoolClient, before: SearchSource, after: SecretRecord): Promise<void> {
  const old = searchTermsOf({
    name: before.name,
    description: before.description ?? undefined,
    tags: JSON.parse(before.tags),
  });
  const next = searchTermsOf(after);
  const key = (t: { term: string; kind: number }) => `${t.kind}\u0000${t.term}`;
  const keep = new Set(next.map(key));
  const had = new Set(old.map(key));
  const gone = old.filter((t) => !keep.has(key(t)));
  if (gone.length > 0) {
    await client.query(
      `DELETE FROM secret_terms WHERE secret_id = $1
         AND (term, kind) IN (SELECT * FROM unnest($2::text[], $3::smallint[]))`,
      [before.id, gone.map((t) => t.term), gone.map((t) => t.kind)],
    );
  }
  await insertTerms(
    client,
    before.id,
    next.filter((t) => !had.has(key(t))),
  );
}

/** `column` starts with one of the prefixes, as ranges over parameters. */
function rangesOf(prefixes: string[], column: string, param: (value: unknown, type: string) => string) {
  return prefixes.map((prefix) => {
    const low = `${column} >= ${param(prefix, "text")}`;
    const upper = prefixUpperBound(prefix);
    return upper === undefined ? low : `(${low} AND ${column} < ${param(upper, "text")})`;
  });
}
