// Installs Coffer as a user outside this repository would: `npm pack` of every published package,
// then `npm ci --offline` of an empty app that depends on the tarballs alone (third-party packages
// come from npm's cache, pinned by a lockfile derived from the workspace's). Then the installed
// `coffer` CLI serves, answers /health and signed requests, and the installed client reads a secret
// from the user's own ESM and CommonJS programs.
//
// better-sqlite3's install script (prebuild-install, else a node-gyp source build) finds a prebuilt
// binary made from the workspace's own build, as a user's install downloads one. Set
// COFFER_PACK_TEST_SOURCE_BUILD=1 to make it compile from source instead (minutes).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedEnv, localBetterSqlitePrebuild, npmConfig, repoRoot, run } from "./packed-install.js";

const admin = { id: "AKIAPACKEDINSTALL001", secret: "packed-install-secret-key-0123456789abcd" };
const sourceBuild = process.env.COFFER_PACK_TEST_SOURCE_BUILD === "1";

describe("installing the packed packages into an empty app", {
  timeout: sourceBuild ? 900_000 : 300_000,
}, () => {
  let dir = "";
  let app = "";
  let env: NodeJS.ProcessEnv = {};
  let server: ChildProcess | undefined;
  let endpoint = "";

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coffer-pack-"));
    app = join(dir, "app");
    const { cache, nodedir } = await npmConfig(["cache", "nodedir"], dir);
    if (!cache) throw new Error("npm has no cache folder configured");
    const extra: Record<string, string> =
      nodedir && nodedir !== "undefined" && nodedir !== "null" ? { npm_config_nodedir: nodedir } : {};
    env = isolatedEnv(dir, cache, extra);
    let started = Date.now();
    // The Dockerfile's build stage runs the same script.
    const prepared = await run(process.execPath, [join(repoRoot, "scripts", "pack-app.mjs"), dir], {
      cwd: repoRoot,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(prepared.code, 0, `scripts/pack-app.mjs failed:\n${prepared.stderr}`);
    const packMs = Date.now() - started;
    if (!sourceBuild) env = { ...env, ...(await localBetterSqlitePrebuild(dir, env)) };
    started = Date.now();
    const install = await run("npm", ["ci", "--omit=dev", "--offline"], {
      cwd: app,
      env,
      timeoutMs: sourceBuild ? 840_000 : 240_000,
    });
    assert.equal(
      install.code,
      0,
      `npm ci --omit=dev --offline failed:\n${install.stdout}\n${install.stderr}`,
    );
    process.stdout.write(
      `packaging test: packed in ${packMs} ms; npm ci --omit=dev --offline of the tarballs and their dependencies in ${Date.now() - started} ms` +
        ` (better-sqlite3 ${sourceBuild ? "built from source" : "from a local prebuilt"})\n`,
    );
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const userEnv = (): NodeJS.ProcessEnv => ({
    ...env,
    AWS_ACCESS_KEY_ID: admin.id,
    AWS_SECRET_ACCESS_KEY: admin.secret,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
  });

  it("ships no tests, source maps or build info, and every entry point, export and bin it declares", async () => {
    const scope = join(app, "node_modules", "@coffer");
    assert.deepEqual((await readdir(scope)).sort(), ["agent", "cli", "client", "server"]);
    for (const name of await readdir(scope)) {
      const root = join(scope, name);
      const files = (await readdir(root, { recursive: true }))
        .map(String)
        .filter((f) => !f.startsWith("node_modules"));
      const unwanted = files.filter((f) =>
        /\.test\.|\.test-helper\.|\.map$|tsbuildinfo|(^|\/)integration\//.test(f),
      );
      assert.deepEqual(unwanted, [], `@coffer/${name} ships ${unwanted.join(", ")}`);
      const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
        private?: boolean;
        main?: string;
        types?: string;
        exports?: Record<string, string>;
        bin?: Record<string, string>;
      };
      assert.equal(manifest.private, undefined, `@coffer/${name} is publishable`);
      const entryPoints = [manifest.main, manifest.types].filter((file) => file !== undefined);
      for (const target of [
        ...entryPoints,
        ...Object.values(manifest.exports ?? {}),
        ...Object.values(manifest.bin ?? {}),
      ]) {
        assert.ok(
          files.includes(target.replace(/^\.\//, "")),
          `@coffer/${name}: ${target} is in the package`,
        );
      }
    }
  });

  it("links the coffer bin, which prints its help", async () => {
    const help = await run(join(app, "node_modules", ".bin", "coffer"), ["--help"], {
      cwd: app,
      env,
      timeoutMs: 30_000,
    });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: coffer/);
    assert.match(help.stdout, /serve/);
  });

  it("serves: /health answers and the installed CLI's signed requests succeed", async () => {
    server = spawn(join(app, "node_modules", ".bin", "coffer"), ["serve"], {
      cwd: app,
      env: {
        ...env,
        COFFER_HOME: join(dir, "data"),
        COFFER_PORT: "0",
        COFFER_ADMIN_ACCESS_KEY_ID: admin.id,
        COFFER_ADMIN_SECRET_ACCESS_KEY: admin.secret,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    endpoint = await listeningUrl(server);

    const health = await fetch(new URL("/health", endpoint));
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });

    // The web console ships inside the server's tarball (no CDN, nothing built at install).
    const consolePage = await fetch(new URL("/console/", endpoint));
    assert.equal(consolePage.status, 200, "the packed server serves its console");
    const html = await consolePage.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, `the console's page names its script: ${html.slice(0, 300)}`);
    const asset = await fetch(new URL(script, endpoint));
    assert.equal(asset.status, 200, `${script} is in the packed server`);
    await asset.arrayBuffer();

    await writeFile(join(dir, "value.json"), JSON.stringify({ apiKey: "from-the-tarballs" }));
    const put = await run(
      join(app, "node_modules", ".bin", "coffer"),
      ["put", "packed/demo", "--file", join(dir, "value.json")],
      { cwd: app, env: userEnv(), timeoutMs: 30_000 },
    );
    assert.equal(put.code, 0, put.stderr);
    const get = await run(
      join(app, "node_modules", ".bin", "coffer"),
      ["get", "packed/demo", "--field", "apiKey"],
      {
        cwd: app,
        env: userEnv(),
        timeoutMs: 30_000,
      },
    );
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout.trim(), "from-the-tarballs");
  });

  it("the client's getJson works from the user's own ESM and CommonJS programs", async () => {
    assert.ok(endpoint, "needs the server of the previous test");
    await writeFile(
      join(app, "esm.mjs"),
      [
        'import { secrets } from "@coffer/client";',
        'const { apiKey } = await secrets.getJson("packed/demo");',
        'console.log("esm:" + apiKey);',
        "await secrets.close();",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(app, "cjs.cjs"),
      [
        'const { secrets } = require("@coffer/client");',
        'secrets.getJson("packed/demo").then(async ({ apiKey }) => {',
        '  console.log("cjs:" + apiKey);',
        "  await secrets.close();",
        "});",
        "",
      ].join("\n"),
    );
    const [esm, cjs] = await Promise.all([
      run(process.execPath, ["esm.mjs"], { cwd: app, env: userEnv(), timeoutMs: 30_000 }),
      run(process.execPath, ["cjs.cjs"], { cwd: app, env: userEnv(), timeoutMs: 30_000 }),
    ]);
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(esm.stdout.trim(), "esm:from-the-tarballs");
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.equal(cjs.stdout.trim(), "cjs:from-the-tarballs");
  });
});

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`coffer serve did not listen within 20 s:\n${output}`)),
      20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`coffer serve exited with ${code}:\n${output}`));
    });
  });
}
