import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChainBackend } from "./backends/chain.js";
import { EnvBackend } from "./backends/env.js";
import { FilesBackend } from "./backends/files.js";
import { parseConfig } from "./config.js";
import { CofferClientError } from "./errors.js";
import { parseReference, toTarget } from "./reference.js";
import { Router } from "./router.js";
import { FakeBackend } from "./testing/fake-backend.js";

const target = (reference: string, versionId?: string) => toTarget(parseReference(reference), versionId);

describe("Router", () => {
  const coffer = new FakeBackend("coffer");
  const files = new FilesBackend("/srv/secrets");
  const router = new Router([coffer, files], () => parseConfig({ FROM_ENV: "x" }));

  it("sends bare ids to the configured sources in order, with version options", () => {
    const { backend, request } = router.route(target("prod/db#password", "v3"));
    assert.ok(backend instanceof ChainBackend);
    assert.deepEqual(router.namesOf(backend), ["coffer", "files"]);
    assert.deepEqual(request, { id: "prod/db", versionId: "v3", versionStage: undefined });
    const single = new Router([coffer], () => parseConfig({}));
    assert.equal(single.route(target("a")).backend, coffer);
  });

  it("sends a scheme to the configured source of that kind, or builds one from the configuration once", () => {
    assert.equal(router.route(target("coffer://a")).backend, coffer);
    const env = router.route(target("env://FROM_ENV")).backend;
    assert.ok(env instanceof EnvBackend);
    assert.equal(router.route(target("env://OTHER")).backend, env);
    assert.equal(router.all().length, 3);
  });

  it("maps file:// paths into a files source's folder, and nowhere else", () => {
    assert.deepEqual(router.route(target("file:///srv/secrets/db/password")), {
      backend: files,
      request: { id: "db/password", versionId: undefined, versionStage: undefined },
    });
    assert.throws(() => router.route(target("file:///etc/passwd")), CofferClientError);
    assert.throws(() => router.route(target("file:///srv/secrets-other/x")), CofferClientError);
    assert.throws(() => router.route(target("file:///srv/secrets/../secrets-other/x")), CofferClientError);
    const defaults = new Router([coffer], () => parseConfig({}));
    assert.equal(
      (defaults.route(target("file:///run/secrets/db")).backend as FilesBackend).dir,
      "/run/secrets",
    );
  });
});
