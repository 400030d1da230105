import type { NodeRegistry, NodeReport } from "../../domain/ports/stores.js";
import type { Database } from "./connection.js";

/** The nodes' heartbeats in the shared database: every node of the cluster reports here. */
export class PostgresNodeRegistry implements NodeRegistry {
  constructor(private readonly db: Database) {}

  async report(node: NodeReport): Promise<void> {
    await this.db.query(
      `INSERT INTO nodes (node_id, active_kek_id, started_at, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (node_id) DO UPDATE SET active_kek_id = excluded.active_kek_id, seen_at = excluded.seen_at`,
      [node.nodeId, node.activeKekId, node.startedAt, node.seenAt],
    );
    // Nodes gone for a day are forgotten, so the table stays as small as the cluster.
    await this.db.query("DELETE FROM nodes WHERE seen_at < $1", [node.seenAt - 86_400_000]);
  }

  async live(since: number): Promise<NodeReport[]> {
    const { rows } = await this.db.query<{
      node_id: string;
      active_kek_id: string;
      started_at: string | number;
      seen_at: string | number;
    }>("SELECT node_id, active_kek_id, started_at, seen_at FROM nodes WHERE seen_at >= $1 ORDER BY node_id", [
      since,
    ]);
    return rows.map((row) => ({
      nodeId: row.node_id,
      activeKekId: row.active_kek_id,
      startedAt: Number(row.started_at),
      seenAt: Number(row.seen_at),
    }));
  }

  async forget(nodeId: string): Promise<void> {
    await this.db.query("DELETE FROM nodes WHERE node_id = $1", [nodeId]);
  }
}
