import { randomUUID } from "node:crypto";
import type { RotationSchedule } from "../ports/rotation-schedule.js";
import type { RotationService } from "./rotation-service.js";

export interface RotationSchedulerDeps {
  schedule: RotationSchedule;
  rotations: Pick<RotationService, "rotateIfDue">;
  now: () => number;
  /** This node's name in the lease table. */
  nodeId: string;
  leaseMs: number;
  /** How many due secrets one tick looks at. */
  batch?: number | undefined;
  /** Told of each secret's outcome and of faults (for the log); never given a value. */
  onOutcome?: ((arn: string, outcome: string) => void) | undefined;
}

/**
 * Runs due rotations. Nothing is kept in memory between ticks: each tick reads the due secrets
 * from the store (so due work survives restarts), and claims each one's lease in a transaction
 * before running it, so that of several nodes sharing a store exactly one runs it. The caller
 * decides when to tick (an interval in the server; directly in tests, with an injected clock).
 */
export class RotationScheduler {
  private ticking: Promise<number> | undefined;

  constructor(private readonly deps: RotationSchedulerDeps) {}

  /** One pass; returns how many rotations it ran. Overlapping calls share the pass under way. */
  tick(): Promise<number> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async pass(): Promise<number> {
    const { schedule, nodeId, leaseMs } = this.deps;
    const due = await schedule.listDue(this.deps.now(), this.deps.batch ?? 100);
    let ran = 0;
    for (const arn of due) {
      const holder = `${nodeId}/${randomUUID()}`;
      if (!(await schedule.claim(arn, holder, this.deps.now(), leaseMs))) continue;
      try {
        const outcome = await this.deps.rotations.rotateIfDue(arn);
        if (outcome === "rotated" || outcome === "failed") ran++;
        this.deps.onOutcome?.(arn, outcome);
      } catch (error) {
        this.deps.onOutcome?.(arn, `error: ${error instanceof Error ? error.name : String(error)}`);
      } finally {
        await schedule.release(arn, holder).catch(() => undefined);
      }
    }
    return ran;
  }
}
