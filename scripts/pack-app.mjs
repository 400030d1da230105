#!/usr/bin/env node
// Usage: node scripts/pack-app.mjs OUT_DIR   (after `npm run build`)
// Packs every published Coffer package into OUT_DIR/packs and writes OUT_DIR/app, an app that depends
// on those tarballs alone with a lockfile pinning the workspace's versions of everything else:
// `npm ci` in OUT_DIR/app installs Coffer as a user would. The Dockerfile and the packaging test
// (packages/cli/src/integration/install-from-tarballs.test.ts) both use it.
import { resolve } from "node:path";
import { prepareTarballApp } from "../packages/cli/dist/integration/packed-install.js";

const out = process.argv[2];
if (!out) {
  console.error("usage: node scripts/pack-app.mjs OUT_DIR");
  process.exit(1);
}
const packed = await prepareTarballApp(resolve(out), process.env);
console.log(`packed ${packed.map((p) => `${p.name}@${p.version}`).join(", ")} into ${resolve(out)}`);
