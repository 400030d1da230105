import type Database from "better-sqlite3";
import type { NodeRegistry, NodeReport } from "../../domain/ports/stores.js";

interface NodeRow {
  node_id: string;
  active_kek_id: string;
  started_at: number;
  seen_at: number;
}

/** The nodes' heartbeats in the SQLite file (schema v10): one server, plus tools beside it. */
export class SqliteNodeRegistry implements NodeRegistry {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      report: db.prepare(
        `INSERT INTO nodes (node_id, active_kek_id, started_at, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (node_id) DO UPDATE SET active_kek_id = excluded.active_kek_id, seen_at = excluded.seen_at`,
      ),
      live: db.prepare<[number], NodeRow>("SELECT * FROM nodes WHERE seen_at >= ? ORDER BY node_id"),
      forget: db.prepare("DELETE FROM nodes WHERE node_id = ?"),
      prune: db.prepare("DELETE FROM nodes WHERE seen_at < ?"),
    };
  }

  async report(node: NodeReport): Promise<void> {
    this.statements.report.run(node.nodeId, node.activeKekId, node.startedAt, node.seenAt);
    // Nodes gone for a day are forgotten, so the table stays as small as the cluster.
    this.statements.prune.run(node.seenAt - 86_400_000);
  }

  async live(since: number): Promise<NodeReport[]> {
    return this.statements.live.all(since).map((row) => ({
      nodeId: row.node_id,
      activeKekId: row.active_kek_id,
      startedAt: row.started_at,
      seenAt: row.seen_at,
    }));
  }

  async forget(nodeId: string): Promise<void> {
    this.statements.forget.run(nodeId);
  }
}
