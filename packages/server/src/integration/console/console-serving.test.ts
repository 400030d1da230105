import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { consoleContentSecurityPolicy } from "../../http/console-assets.js";
import { type ServerProcess, startServerProcess, testRegion } from "../../testing/server-process.js";
import { ensureConsoleBuilt } from "./browser.test-helper.js";

describe("a real server serves the built console", () => {
  let server: ServerProcess;
  before(async () => {
    ensureConsoleBuilt();
    server = await startServerProcess();
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });

  test("/console/ and its hashed assets, with the strict CSP; config.json names the region", async () => {
    const index = await fetch(`${server.url}/console/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-security-policy"), consoleContentSecurityPolicy);
    assert.equal(index.headers.get("cache-control"), "no-store");
    const html = await index.text();
    // Nothing inline for the CSP to forbid: every script and stylesheet is a hashed file of this origin.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /<style|style=/);
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
    assert.ok(assets.length >= 2, html);
    for (const asset of assets) {
      const response = await fetch(`${server.url}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      await response.arrayBuffer();
    }
    const config = await fetch(`${server.url}/console/config.json`);
    const body = (await config.json()) as { region: string; version: string };
    assert.equal(body.region, testRegion);
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  test("a browser at / goes to /console/; the API at / is unchanged", async () => {
    const browser = await fetch(`${server.url}/`, { headers: { accept: "text/html" }, redirect: "manual" });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.get("location"), "/console/");
    const api = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.ListSecrets" },
      body: "{}",
    });
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as { __type: string }).__type, "MissingAuthenticationTokenException");
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });
});
