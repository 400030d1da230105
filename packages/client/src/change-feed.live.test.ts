import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DeleteSecretCommand } from "@aws-sdk/client-secrets-manager";
import { startServerProcess } from "@coffer/server/testing";
import { createSecretsForTest } from "./client.js";
import { parseConfig } from "./config.js";
import { SecretNotFoundError } from "./errors.js";
import { createSecret, putSecretValue, sdkFor, startLiveCoffer } from "./testing/live.js";
import { eventually } from "./testing/wait.js";

describe("change feed against a live Coffer server", () => {
  it("sees a new AWSCURRENT within a second, a delete, and keeps working across a server restart", async () => {
    const server = await startLiveCoffer();
    let restarted: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    try {
      await createSecret(server.admin, "live/feed", '{"v":"one"}');
      let opened = 0;
      const secrets = createSecretsForTest({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        cache: { ttlMs: 600_000 },
        config: parseConfig({}),
        feedDelayMs: { initial: 50, max: 500 },
        onFeedOpen: () => {
          opened += 1;
        },
      });
      try {
        assert.equal(await secrets.get("live/feed#v"), "one");
        await eventually(() => opened === 1);

        await putSecretValue(server.admin, "live/feed", '{"v":"two"}');
        await eventually(async () => (await secrets.get("live/feed#v")) === "two", 1_000);

        await server.admin.send(
          new DeleteSecretCommand({ SecretId: "live/feed", ForceDeleteWithoutRecovery: true }),
        );
        await eventually(async () => {
          try {
            await secrets.get("live/feed#v");
            return false;
          } catch (error) {
            return error instanceof SecretNotFoundError;
          }
        }, 1_000);

        await createSecret(server.admin, "live/restart", "before");
        assert.equal(await secrets.get("live/restart"), "before");
        await server.stop();
        restarted = await startServerProcess({
          home: server.home,
          env: { COFFER_PORT: String(server.port) },
        });
        await eventually(() => opened === 2, 5_000);
        await putSecretValue(sdkFor(restarted, restarted.url), "live/restart", "after");
        await eventually(async () => (await secrets.get("live/restart")) === "after", 1_000);
      } finally {
        await secrets.close();
      }
    } finally {
      await restarted?.stop();
      await server.kill().catch(() => {});
      server.cleanup();
    }
  });
});
