/**
 * Builds the package-lock.json of an app that installs Coffer's packed tarballs, pinning every
 * third-party package to the version the workspace's own lockfile holds. With it `npm ci --offline`
 * installs from npm's cache alone: it needs only what `npm ci` of the workspace already fetched.
 */

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** One packed workspace package: its manifest and where its tarball lies relative to the app. */
export interface PackedPackage {
  name: string;
  version: string;
  /** e.g. `file:../packs/coffer-cli-0.1.0.tgz` */
  spec: string;
  integrity: string;
  manifest: {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    bin?: Record<string, string>;
    engines?: Record<string, string>;
    license?: string;
  };
}

const workspaceOnlyFlags = ["dev", "devOptional", "peer", "extraneous", "inBundle"];

export function tarballAppLockfile(workspace: Lockfile, appName: string, packed: PackedPackage[]): Lockfile {
  const packedByName = new Map(packed.map((p) => [p.name, p]));
  const packages: Record<string, LockEntry> = {
    "": { name: appName, dependencies: Object.fromEntries(packed.map((p) => [p.name, p.spec])) },
  };
  for (const p of packed) {
    packages[`node_modules/${p.name}`] = {
      version: p.version,
      resolved: p.spec,
      integrity: p.integrity,
      ...pick(p.manifest, ["license", "dependencies", "optionalDependencies", "bin", "engines"]),
    };
  }
  // Every workspace package is a link in the workspace lockfile; its own nested node_modules lie under
  // its folder there and under node_modules/<name> in the app.
  const workspaceFolder = new Map<string, string>();
  for (const [key, entry] of Object.entries(workspace.packages)) {
    const name = key.startsWith("node_modules/") ? key.slice("node_modules/".length) : undefined;
    if (name && entry.link && entry.resolved && packedByName.has(name))
      workspaceFolder.set(entry.resolved, name);
  }
  const toAppKey = (workspaceKey: string): string => {
    for (const [folder, name] of workspaceFolder) {
      if (workspaceKey.startsWith(`${folder}/`))
        return `node_modules/${name}${workspaceKey.slice(folder.length)}`;
    }
    return workspaceKey;
  };

  const queue: string[] = packed.map(
    (p) => [...workspaceFolder].find(([, name]) => name === p.name)?.[0] ?? "",
  );
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const from = queue.shift() as string;
    const entry = workspace.packages[from];
    if (!entry) continue;
    const required = {
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([dep]) => !entry.peerDependenciesMeta?.[dep]?.optional,
        ),
      ),
    };
    for (const dep of Object.keys(required)) {
      if (packedByName.has(dep)) continue;
      const found = resolveFrom(workspace, from, dep);
      if (!found) {
        if (entry.optionalDependencies?.[dep] !== undefined) continue;
        throw new Error(
          `${dep}, needed by ${from || "the workspace root"}, is not in the workspace lockfile`,
        );
      }
      if (seen.has(found)) continue;
      seen.add(found);
      queue.push(found);
      const copy: LockEntry = { ...(workspace.packages[found] as LockEntry) };
      for (const flag of workspaceOnlyFlags) delete copy[flag];
      packages[toAppKey(found)] = copy;
    }
  }
  return { name: appName, lockfileVersion: 3, requires: true, packages };
}

/** Node's lookup: `from/node_modules/dep`, then each enclosing node_modules, then the root's. */
function resolveFrom(lock: Lockfile, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const key = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
    const entry = lock.packages[key];
    if (entry && !entry.link) return key;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut >= 0 ? base.slice(0, cut) : "";
  }
}

function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}
