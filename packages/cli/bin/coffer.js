#!/usr/bin/env node
// The `coffer` command. npm links bins before a workspace's `prepare` script builds dist/, so the bin
// is this committed file, which loads the built entry point and says what to do if it is missing.
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "coffer: the CLI is not built yet (packages/cli/dist/main.js is missing); run `npm run build` in the Coffer repository\n",
  );
  process.exit(1);
}
await import(entry.href);
