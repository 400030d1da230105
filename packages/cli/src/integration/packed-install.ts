import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Lockfile, type PackedPackage, tarballAppLockfile } from "./tarball-lockfile.js";

/** The repository root, from packages/cli/dist/integration. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** The workspace packages a user installs, in dependency order. */
export const publishedPackages = ["packages/server", "packages/client", "packages/agent", "packages/cli"];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects on a non-zero exit (the caller asserts on `code`). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...options, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error && code === 1 && !stderr ? String(error) : stderr });
      },
    );
  });
}

/**
 * An environment for npm and the installed programs that keeps everything inside `dir`: its own HOME
 * and npm config, logs in `dir`, no npm_* variables inherited from an enclosing `npm test`, this
 * Node first on PATH. Only npm's cache is shared, and only read (`--offline`).
 */
export function isolatedEnv(
  dir: string,
  npmCache: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== "INIT_CWD" && !key.startsWith("COFFER_") && !key.startsWith("AWS_")) {
      env[key] = value;
    }
  }
  return {
    ...env,
    PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
    HOME: join(dir, "home"),
    npm_config_userconfig: join(dir, "home", ".npmrc"),
    npm_config_cache: npmCache,
    npm_config_logs_dir: join(dir, "npm-logs"),
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

/** `npm config get` of the caller's own configuration, read from outside the repository. */
export async function npmConfig(keys: string[], cwd: string): Promise<Record<string, string>> {
  const result = await run("npm", ["config", "get", ...keys], { cwd, env: process.env, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`npm config get failed: ${result.stderr}`);
  const values: Record<string, string> = {};
  for (const line of result.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  // With one key npm prints the bare value.
  if (keys.length === 1 && Object.keys(values).length === 0) values[keys[0] as string] = result.stdout.trim();
  return values;
}

/** `npm pack` of every published workspace package into `packsDir`. */
export async function packWorkspace(packsDir: string, env: NodeJS.ProcessEnv): Promise<PackedPackage[]> {
  await mkdir(packsDir, { recursive: true });
  const args = [
    "pack",
    "--json",
    "--pack-destination",
    packsDir,
    ...publishedPackages.flatMap((p) => ["-w", p]),
  ];
  const result = await run("npm", args, { cwd: repoRoot, env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`npm pack failed (${result.code}):\n${result.stderr}`);
  const packs = JSON.parse(result.stdout) as {
    name: string;
    version: string;
    filename: string;
    integrity: string;
  }[];
  return Promise.all(
    packs.map(async (p) => {
      const folder = publishedPackages.find((f) => f.endsWith(`/${p.name.split("/")[1]}`));
      if (!folder) throw new Error(`npm pack produced an unexpected package ${p.name}`);
      const manifest = JSON.parse(await readFile(join(repoRoot, folder, "package.json"), "utf8"));
      return {
        name: p.name,
        version: p.version,
        spec: `file:../packs/${p.filename}`,
        integrity: p.integrity,
        manifest,
      };
    }),
  );
}

/** Writes `appDir/package.json` and the package-lock.json that pins the workspace's versions. */
export async function writeApp(appDir: string, packed: PackedPackage[]): Promise<void> {
  const workspaceLock = JSON.parse(await readFile(join(repoRoot, "package-lock.json"), "utf8")) as Lockfile;
  const lock = tarballAppLockfile(workspaceLock, "coffer-user-app", packed);
  await mkdir(appDir, { recursive: true });
  const manifest = {
    name: "coffer-user-app",
    private: true,
    dependencies: lock.packages[""]?.dependencies,
    // npm 11 asks a project to approve the install scripts of its dependencies; Coffer's only one is
    // better-sqlite3's (a prebuilt binary, else a source build).
    allowScripts: { "better-sqlite3": true },
  };
  await writeFile(join(appDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(appDir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
}

/**
 * Puts the workspace's own compiled better-sqlite3 binary where prebuild-install (better-sqlite3's
 * install script) looks for a local prebuilt, named as its download would be. A user's install
 * downloads that prebuilt; this machine cannot, and a source build takes minutes. Returns the env
 * variable that points prebuild-install at it.
 */
export async function localBetterSqlitePrebuild(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  const require = createRequire(join(repoRoot, "packages", "server", "package.json"));
  const manifestPath = require.resolve("better-sqlite3/package.json");
  const { version } = JSON.parse(await readFile(manifestPath, "utf8")) as { version: string };
  const prebuilds = join(dir, "prebuilds");
  await mkdir(prebuilds, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const result = await run("tar", ["-czf", join(prebuilds, name), "build/Release/better_sqlite3.node"], {
    cwd: dirname(manifestPath),
    env,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw new Error(`could not pack the better-sqlite3 binary: ${result.stderr}`);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

/**
 * `npm pack` of every published package into `outDir/packs`, and `outDir/app`: an app depending on
 * those tarballs alone, its lockfile pinning the workspace's versions. `npm ci` in `outDir/app`
 * then installs Coffer as a user would (the Dockerfile's install stage, and the packaging test).
 */
export async function prepareTarballApp(outDir: string, env: NodeJS.ProcessEnv): Promise<PackedPackage[]> {
  const packed = await packWorkspace(join(outDir, "packs"), env);
  await writeApp(join(outDir, "app"), packed);
  return packed;
}
