import { InvalidParameterException, LimitExceededException } from "../../errors/catalog.js";
import type { VersionMeta } from "./records.js";

export const CURRENT = "AWSCURRENT";
export const PREVIOUS = "AWSPREVIOUS";
export const maxVersionsKept = 100;
const minAgeBeforePruneMs = 24 * 60 * 60 * 1000;
const maxStagesPerVersion = 20;

export type Restage = Pick<VersionMeta, "versionId" | "stages">;

/**
 * Staging labels are unique within a secret. Attaching labels to a version detaches them from
 * whichever version held them; when AWSCURRENT moves, its former holder becomes AWSPREVIOUS
 * (which in turn leaves its own former holder). Returns the new label sets of changed versions.
 */
export function attachStages(versions: VersionMeta[], targetVersionId: string, stages: string[]): Restage[] {
  const labels = new Map(versions.map((v) => [v.versionId, new Set(v.stages)]));
  if (!labels.has(targetVersionId)) labels.set(targetVersionId, new Set());
  const holderOf = (stage: string) => [...labels].find(([, set]) => set.has(stage))?.[0];

  for (const stage of stages) {
    const holder = holderOf(stage);
    if (holder === targetVersionId) continue;
    if (holder !== undefined) labels.get(holder)?.delete(stage);
    labels.get(targetVersionId)?.add(stage);
    // Labels the caller asked for win over the automatic AWSPREVIOUS demotion.
    if (stage === CURRENT && holder !== undefined && !stages.includes(PREVIOUS)) {
      const previousHolder = holderOf(PREVIOUS);
      if (previousHolder !== undefined) labels.get(previousHolder)?.delete(PREVIOUS);
      labels.get(holder)?.add(PREVIOUS);
    }
  }
  return changedLabelSets(versions, labels, targetVersionId);
}

/** Detaches one label from one version. AWSCURRENT can only be moved, never removed. */
export function detachStage(versions: VersionMeta[], versionId: string, stage: string): Restage[] {
  if (stage === CURRENT) {
    throw new InvalidParameterException(
      "You can't remove the staging label AWSCURRENT from a version; move it to another version with MoveToVersionId instead.",
    );
  }
  const labels = new Map(versions.map((v) => [v.versionId, new Set(v.stages)]));
  labels.get(versionId)?.delete(stage);
  return changedLabelSets(versions, labels, undefined);
}

function changedLabelSets(
  versions: VersionMeta[],
  labels: Map<string, Set<string>>,
  alwaysInclude: string | undefined,
): Restage[] {
  const before = new Map(versions.map((v) => [v.versionId, v.stages]));
  const changed: Restage[] = [];
  for (const [versionId, set] of labels) {
    const stages = [...set];
    if (stages.length > maxStagesPerVersion) {
      throw new LimitExceededException(
        `A version can have at most ${maxStagesPerVersion} staging labels; version ${versionId} would have ${stages.length}.`,
      );
    }
    const old = before.get(versionId);
    if (versionId === alwaysInclude || !old || !sameSet(old, stages)) changed.push({ versionId, stages });
  }
  return changed;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * AWS keeps at most about 100 versions: beyond that it removes the oldest versions that have no
 * staging label, but never one created in the last 24 hours.
 */
export function versionsToPrune(versions: VersionMeta[], now: number): string[] {
  const excess = versions.length - maxVersionsKept;
  if (excess <= 0) return [];
  return versions
    .filter((v) => v.stages.length === 0 && now - v.createdAt >= minAgeBeforePruneMs)
    .sort((a, b) => a.createdAt - b.createdAt)
    .slice(0, excess)
    .map((v) => v.versionId);
}
