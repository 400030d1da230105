import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { VersionMeta } from "./records.js";
import { attachStages, CURRENT, detachStage, maxVersionsKept, PREVIOUS, versionsToPrune } from "./stages.js";

const version = (versionId: string, stages: string[], createdAt = 0): VersionMeta => ({
  versionId,
  stages,
  createdAt,
  lastAccessedAt: undefined,
  kmsKeyId: undefined,
});

function apply(versions: VersionMeta[], targetId: string, stages: string[]): Map<string, string[]> {
  const result = new Map(versions.map((v) => [v.versionId, v.stages]));
  for (const change of attachStages(versions, targetId, stages)) result.set(change.versionId, change.stages);
  return result;
}

test("a new AWSCURRENT demotes the old one to AWSPREVIOUS and clears the older AWSPREVIOUS", () => {
  const after = apply([version("v1", [PREVIOUS]), version("v2", [CURRENT])], "v3", [CURRENT]);
  assert.deepEqual(after.get("v3"), [CURRENT]);
  assert.deepEqual(after.get("v2"), [PREVIOUS]);
  assert.deepEqual(after.get("v1"), []);
});

test("AWSCURRENT cannot be detached, only moved", () => {
  assert.throws(() => detachStage([version("v1", [CURRENT])], "v1", CURRENT), {
    name: "InvalidParameterException",
  });
});

const stageName = fc.constantFrom(CURRENT, PREVIOUS, "AWSPENDING", "blue", "green");
const versionsArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.integer({ min: -1, max: ids.length - 1 }), { minLength: 5, maxLength: 5 }),
    ),
  )
  .map(([ids, holders]) => {
    // Each label held by at most one version, as the store guarantees.
    const labels = [CURRENT, PREVIOUS, "AWSPENDING", "blue", "green"];
    return ids.map((id, index) =>
      version(
        id,
        labels.filter((_, l) => holders[l] === index),
      ),
    );
  });

test("property: after attaching, every label is held by exactly one version at most and the target holds what was asked", () => {
  fc.assert(
    fc.property(
      versionsArb,
      fc.uniqueArray(stageName, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (versions, stages, fresh) => {
        const target = fresh ? "new-version" : (versions[0]?.versionId ?? "new-version");
        const after = apply(versions, target, stages);
        const holders = new Map<string, number>();
        for (const labels of after.values())
          for (const l of labels) holders.set(l, (holders.get(l) ?? 0) + 1);
        for (const count of holders.values()) assert.equal(count, 1);
        for (const s of stages) assert.ok(after.get(target)?.includes(s));
        // Only one version holds AWSCURRENT if any did before.
        const hadCurrent = versions.some((v) => v.stages.includes(CURRENT)) || stages.includes(CURRENT);
        assert.equal([...after.values()].filter((l) => l.includes(CURRENT)).length, hadCurrent ? 1 : 0);
      },
    ),
  );
});

test("property: pruning keeps labelled and young versions and never goes below the limit", () => {
  const day = 86_400_000;
  fc.assert(
    fc.property(
      fc.array(fc.record({ labelled: fc.boolean(), ageDays: fc.integer({ min: 0, max: 5 }) }), {
        minLength: 0,
        maxLength: 140,
      }),
      (specs) => {
        const now = 10 * day;
        const versions = specs.map((s, i) =>
          version(`v${i}`, s.labelled ? [`L${i}`] : [], now - s.ageDays * day - i),
        );
        const pruned = new Set(versionsToPrune(versions, now));
        assert.ok(versions.length - pruned.size >= Math.min(versions.length, maxVersionsKept));
        for (const v of versions) {
          if (pruned.has(v.versionId)) {
            assert.equal(v.stages.length, 0);
            assert.ok(now - v.createdAt >= day);
          }
        }
      },
    ),
  );
});
