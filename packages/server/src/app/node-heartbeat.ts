import type { NodeRegistry } from "../domain/ports/stores.js";

/** How often a serving node reports itself; a node not seen for {@link nodeLiveWindowMs} is gone. */
export const nodeHeartbeatIntervalMs = 2_000;
export const nodeLiveWindowMs = 10_000;

/**
 * A serving node's heartbeat in the store: who it is and which master key it wraps new data keys
 * under now. Reading the active key here also makes a file keyring notice a rotation (the check is
 * rate-limited inside). Returns the way to stop, which removes the node's entry.
 */
export function startNodeHeartbeat(deps: {
  nodes: NodeRegistry;
  nodeId: string;
  activeKekId: () => string;
  now?: () => number;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): { stop(): Promise<void>; beat(): Promise<void> } {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const beat = async () => {
    try {
      await deps.nodes.report({
        nodeId: deps.nodeId,
        activeKekId: deps.activeKekId(),
        startedAt,
        seenAt: now(),
      });
    } catch (error) {
      deps.onError?.(error);
    }
  };
  const timer = setInterval(() => void beat(), deps.intervalMs ?? nodeHeartbeatIntervalMs);
  timer.unref();
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await deps.nodes.forget(deps.nodeId).catch((error: unknown) => deps.onError?.(error));
    },
  };
}

/**
 * Resolves once every live node wraps new data keys under `kekId` (what `coffer keys rotate` needs
 * before it re-wraps: a node still on the old key could seal a value under it after the scan).
 * Rejects at the deadline, naming the nodes that have not switched.
 */
export async function waitForNodesOnKey(deps: {
  nodes: NodeRegistry;
  kekId: string;
  timeoutMs: number;
  now?: () => number;
  pollMs?: number;
}): Promise<{ nodes: number }> {
  const now = deps.now ?? Date.now;
  const deadline = now() + deps.timeoutMs;
  for (;;) {
    const live = await deps.nodes.live(now() - nodeLiveWindowMs);
    const behind = live.filter((node) => node.activeKekId !== deps.kekId);
    if (behind.length === 0) return { nodes: live.length };
    if (now() >= deadline) {
      throw new Error(
        `${behind.length} node(s) still wrap under another master key after ${Math.round(deps.timeoutMs / 1000)} s: ` +
          `${behind.map((node) => `${node.nodeId} (${node.activeKekId})`).join(", ")}. ` +
          "Give every node the new key (COFFER_MASTER_KEY, the old one in COFFER_MASTER_KEYS_PREVIOUS) and run `coffer keys rotate` again.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 250));
  }
}
