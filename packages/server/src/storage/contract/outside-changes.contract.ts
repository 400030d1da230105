/**
 * What every engine's `Stores.watchOutsideChanges` promises (domain/ports/stores.ts): a change
 * committed by another process or node (here: another `Stores` on the same data) reaches the sink,
 * naming the secret or saying `all`; a stopped watch hears nothing more. Waits are deadlines on
 * what the sink heard, never fixed sleeps. SQLite is the reference.
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SecretInvalidation } from "../../domain/secrets/invalidations.js";
import { type OpenHarness, withHarness } from "./engines.contract.js";
import { provider, role, roleArn, sessionKey, webIdentitySession } from "./identity-records.contract.js";
import { arnOf, create, eventually, secret, update, version } from "./records.contract.js";

/** A sink that records what it hears, and whether it heard of `arn` since `from`. */
function recorder() {
  const seen: SecretInvalidation[] = [];
  const covers = (arn: string) => (i: SecretInvalidation) => i.kind === "all" || i.arn === arn;
  return {
    seen,
    invalidate: (invalidation: SecretInvalidation) => void seen.push(invalidation),
    mark: () => seen.length,
    heardOf: (arn: string, from = 0) => seen.slice(from).some(covers(arn)),
    namedSecrets: () => seen.flatMap((i) => (i.kind === "secret" ? [i.arn] : [])),
  };
}

export function describeOutsideChangesContract(engine: string, open: OpenHarness): void {
  describe(`Stores.watchOutsideChanges contract: ${engine}`, () => {
    it("a change committed right after the watch starts reaches it", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const sink = recorder();
        const stop = stores.watchOutsideChanges(sink);
        try {
          await another.secrets.commit(create(secret("early")));
          await eventually(() => sink.heardOf(arnOf("early")), "the first change to be heard");
        } finally {
          stop();
        }
      }));

    it("commits, purges and key changes through another connection reach the sink; its own do not", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const sink = recorder();
        const stop = stores.watchOutsideChanges(sink);
        try {
          // Whatever the watch says while it starts is not what this case is about.
          await another.secrets.commit(create(secret("warm-up")));
          await eventually(() => sink.heardOf(arnOf("warm-up")), "the watch to hear a first change");

          const s = secret("shared");
          await stores.secrets.commit(create(secret("own")));
          let from = sink.mark();
          await another.secrets.commit(create(s, [version("v1", ["AWSCURRENT"])]));
          await eventually(() => sink.heardOf(s.arn, from), "the create");
          assert.ok(!sink.namedSecrets().includes(arnOf("own")), "its own commit is not fed back");

          from = sink.mark();
          await another.secrets.commit(update(s, { secret: { description: "changed" } }));
          await eventually(() => sink.heardOf(s.arn, from), "the update");

          from = sink.mark();
          const row = (await another.secrets.listSealedValues(undefined, 10)).find((r) => r.arn === s.arn);
          assert.ok(row);
          assert.equal(
            await another.secrets.replaceWrappedKey(row, { kekId: "kek-2", wrappedKey: Buffer.from("new") }),
            true,
          );
          await eventually(() => sink.heardOf(s.arn, from), "the re-wrapped key");

          from = sink.mark();
          const now = await another.secrets.findRecordByArn(s.arn);
          assert.ok(now);
          assert.equal(
            await another.secrets.reseal({
              arn: s.arn,
              expectedRevision: now.revision,
              expectedSeal: now.seal,
              seal: { kekId: "kek-2", mac: Buffer.from("mac-2") },
              values: [],
            }),
            true,
          );
          await eventually(() => sink.heardOf(s.arn, from), "the reseal");

          from = sink.mark();
          await another.secrets.purge(s.arn);
          await eventually(() => sink.heardOf(s.arn, from), "the purge");

          from = sink.mark();
          const t = secret("replicated");
          await another.secrets.commitMany([create(t)]);
          await eventually(() => sink.heardOf(t.arn, from), "the commitMany");
        } finally {
          stop();
        }
      }));

    it("role and OIDC provider changes through another connection reach the sink as an identity change (or `all`)", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const sink = recorder();
        let identityChanges = 0;
        const stop = stores.watchOutsideChanges({ ...sink, identityChanged: () => void identityChanges++ });
        try {
          // Whatever the watch says while it starts is not what this case is about.
          await another.secrets.commit(create(secret("warm-up")));
          await eventually(() => sink.heardOf(arnOf("warm-up")), "the watch to hear a first change");
          const alls = () => sink.seen.filter((i) => i.kind === "all").length;
          const changes: Array<[string, () => Promise<unknown>]> = [
            ["a role's creation", () => another.identity.createPrincipal(role("app"))],
            [
              "a role's settings",
              () =>
                another.identity.updateRoleSettings(roleArn("app"), {
                  trustPolicy: "{}",
                  maxSessionDurationSeconds: 7_200,
                }),
            ],
            [
              "a session's key",
              () => another.identity.putAccessKey(sessionKey("ASIA1", webIdentitySession("app", "s"))),
            ],
            ["a role's deletion", () => another.identity.deletePrincipal(roleArn("app"))],
            [
              "a provider's creation",
              () => another.identity.createOidcProvider(provider("issuer.example.com")),
            ],
            [
              "a provider's update",
              () => another.identity.updateOidcProvider(provider("issuer.example.com", { audiences: ["x"] })),
            ],
            [
              "a provider's deletion",
              () => another.identity.deleteOidcProvider(provider("issuer.example.com").arn),
            ],
          ];
          for (const [what, change] of changes) {
            const [identityFrom, allFrom] = [identityChanges, alls()];
            await change();
            await eventually(() => identityChanges > identityFrom || alls() > allFrom, what);
          }
        } finally {
          stop();
        }
      }));

    it("every watch hears the change; a stopped one hears nothing more", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const kept = recorder();
        const stopped = recorder();
        const stopKept = stores.watchOutsideChanges(kept);
        const stop = stores.watchOutsideChanges(stopped);
        try {
          await another.secrets.commit(create(secret("both")));
          await eventually(
            () => kept.heardOf(arnOf("both")) && stopped.heardOf(arnOf("both")),
            "both watches to hear the change",
          );
          stop();
          const from = stopped.mark();
          const keptFrom = kept.mark();
          await another.secrets.commit(create(secret("after-stop")));
          // The watch still running is the deadline: once it heard, the stopped one would have too.
          await eventually(() => kept.heardOf(arnOf("after-stop"), keptFrom), "the running watch to hear");
          assert.equal(stopped.mark(), from, "the stopped watch heard nothing");
        } finally {
          stopKept();
          stop();
        }
      }));

    it("a change from the first reaches a watch on the other: the feed runs both ways", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const sink = recorder();
        const stop = another.watchOutsideChanges(sink);
        try {
          let i = 0;
          // Commit until heard: the watch may still be starting.
          await eventually(async () => {
            await stores.secrets.commit(create(secret(`from-first-${i++}`)));
            return sink.seen.length > 0;
          }, "the other connection's watch to hear a commit");
          await stores.ping();
          await another.ping();
        } finally {
          stop();
        }
      }));
  });
}
