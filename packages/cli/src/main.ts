#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { connect } from "./client.js";
import { exitQuietlyWhenOutputCloses } from "./closed-output.js";
import { runCli } from "./program.js";
import { terminalPrompter } from "./prompt.js";
import { loadServerFunction } from "./server-module.js";

function packageVersion(): string {
  // ../package.json from both src/ (tsx) and dist/ (built); --version must not break the CLI if absent.
  try {
    const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const version =
      typeof manifest === "object" && manifest !== null ? Reflect.get(manifest, "version") : undefined;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

exitQuietlyWhenOutputCloses(process.stdout);
exitQuietlyWhenOutputCloses(process.stderr);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  isTTY: process.stdin.isTTY === true,
  prompt: terminalPrompter(),
  connect,
  loadServer: loadServerFunction,
  env: process.env,
  version: packageVersion(),
});
