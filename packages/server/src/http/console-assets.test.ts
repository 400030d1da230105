import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { consoleContentSecurityPolicy, createConsoleAssets } from "./console-assets.js";

async function serve(root: string): Promise<{ server: Server; url: string }> {
  const assets = createConsoleAssets({ region: "eu-west-3", version: "9.8.7", root });
  const server = createServer((request, response) => {
    if (!assets(request, response)) {
      response.writeHead(418, { "content-type": "text/plain" });
      response.end("the API");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("console assets", () => {
  let dir: string;
  let url: string;
  let server: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "console-assets-"));
    const root = join(dir, "console");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
    writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(dir, "outside.txt"), "outside the root");
    ({ server, url } = await serve(root));
  });
  after(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  test("index.html: no-store, the strict CSP and the other security headers", async () => {
    const response = await fetch(`${url}/console/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "<!doctype html><title>app</title>");
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(response.headers.get("content-security-policy"), consoleContentSecurityPolicy);
    assert.match(consoleContentSecurityPolicy, /script-src 'self';/);
    assert.doesNotMatch(consoleContentSecurityPolicy, /unsafe/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
  });

  test("hashed assets are immutable; a missing asset is a 404, not the app", async () => {
    const js = await fetch(`${url}/console/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(js.headers.get("content-security-policy"), consoleContentSecurityPolicy);
    const missing = await fetch(`${url}/console/assets/index-nope.js`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "Not found.\n");
  });

  test("the app's own routes get index.html", async () => {
    for (const path of ["/console/secrets", "/console/secrets/prod%2Fdb", "/console/access"]) {
      const response = await fetch(`${url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.equal(await response.text(), "<!doctype html><title>app</title>");
    }
  });

  test("config.json names the region and the version", async () => {
    const response = await fetch(`${url}/console/config.json`);
    assert.deepEqual(await response.json(), { region: "eu-west-3", version: "9.8.7" });
    assert.equal(response.headers.get("cache-control"), "no-store");
  });

  test("nothing outside the built console is served", async () => {
    for (const path of [
      "/console/..%2Foutside.txt",
      "/console/assets/..%2F..%2Foutside.txt",
      "/console/%00",
      "/console/.hidden.txt",
      "/console/%E0%A4%A",
    ]) {
      const response = await fetch(`${url}${path}`);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /outside the root/, path);
    }
  });

  test("a browser at / is sent to the console; /console to /console/", async () => {
    const root = await fetch(`${url}/`, { headers: { accept: "text/html,*/*" }, redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/console/");
    const bare = await fetch(`${url}/console`, { redirect: "manual" });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/console/");
  });

  test("API requests at / are left to the API", async () => {
    const post = await fetch(`${url}/`, { method: "POST", headers: { accept: "text/html" }, body: "{}" });
    assert.equal(post.status, 418);
    const getJson = await fetch(`${url}/`, { headers: { accept: "application/json" } });
    assert.equal(getJson.status, 418);
    const other = await fetch(`${url}/consoles`);
    assert.equal(other.status, 418);
  });

  test("only GET and HEAD", async () => {
    const post = await fetch(`${url}/console/`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await fetch(`${url}/console/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });
});

test("an unbuilt console says to run npm run build", async () => {
  const dir = mkdtempSync(join(tmpdir(), "console-assets-"));
  const { server, url } = await serve(join(dir, "console"));
  try {
    for (const path of ["/console/", "/console/secrets"]) {
      const response = await fetch(`${url}${path}`);
      assert.equal(response.status, 404, path);
      assert.match(await response.text(), /not built\. Run `npm run build`/);
    }
  } finally {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
