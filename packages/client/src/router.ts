import { ChainBackend } from "./backends/chain.js";
import { createBackend } from "./backends/create.js";
import { FilesBackend, isInside } from "./backends/files.js";
import { type ClientConfig, DEFAULT_FILES_DIR } from "./config.js";
import { CofferClientError } from "./errors.js";
import type { Target } from "./reference.js";
import type { Backend, FetchRequest, SourceKind } from "./types.js";

const kindOfScheme: Readonly<Record<string, SourceKind>> = {
  coffer: "coffer",
  aws: "aws",
  env: "env",
  file: "files",
  dotenv: "dotenv",
  agent: "agent",
};

/**
 * Which backend answers a target: a bare id goes to the configured sources in order; a reference
 * with a scheme (`coffer://`, `env://`…) goes to the first configured source of that kind, or to
 * one built from the configuration on first use. A `file://` path must lie inside the folder of a
 * configured files source (or the default /run/secrets).
 */
export class Router {
  readonly sources: readonly Backend[];
  readonly chain: Backend;
  readonly #config: () => ClientConfig;
  readonly #extra = new Map<SourceKind, Backend>();

  constructor(sources: readonly Backend[], config: () => ClientConfig) {
    this.sources = sources;
    this.chain = sources.length === 1 ? (sources[0] as Backend) : new ChainBackend(sources);
    this.#config = config;
  }

  route(target: Target): { backend: Backend; request: FetchRequest } {
    if (target.scheme === "") return { backend: this.chain, request: requestFor(target, target.id) };
    if (target.scheme === "file") return this.#routeFile(target);
    const kind = kindOfScheme[target.scheme];
    if (kind === undefined) throw new CofferClientError(`Unknown reference scheme "${target.scheme}".`);
    return { backend: this.#ofKind(kind), request: requestFor(target, target.id) };
  }

  /** Names of the sources a backend stands for (a chain's members), for "not found" messages. */
  namesOf(backend: Backend): string[] {
    return backend instanceof ChainBackend ? backend.backends.map((member) => member.name) : [backend.name];
  }

  /** Every backend in use: the configured ones and those built for references. */
  all(): Backend[] {
    return [...this.sources, ...this.#extra.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((backend) => backend.close?.()));
  }

  #routeFile(target: Target): { backend: Backend; request: FetchRequest } {
    const folders = this.sources.filter(
      (backend): backend is FilesBackend => backend instanceof FilesBackend,
    );
    if (folders.length === 0) folders.push(this.#ofKind("files") as FilesBackend);
    for (const folder of folders) {
      if (isInside(folder.dir, target.id)) {
        return {
          backend: folder,
          request: requestFor(target, target.id.slice(folder.dir.length).replace(/^\/+/, "")),
        };
      }
    }
    throw new CofferClientError(
      `file://${target.id} is outside the secrets folders (${folders.map((folder) => folder.dir).join(", ") || DEFAULT_FILES_DIR}); add a files source for its folder.`,
    );
  }

  #ofKind(kind: SourceKind): Backend {
    const configured = this.sources.find((backend) =>
      kind === "files" ? backend instanceof FilesBackend : backend.name === kind,
    );
    if (configured !== undefined) return configured;
    let extra = this.#extra.get(kind);
    if (extra === undefined) {
      extra = createBackend({ kind } as Parameters<typeof createBackend>[0], this.#config());
      this.#extra.set(kind, extra);
    }
    return extra;
  }
}

function requestFor(target: Target, id: string): FetchRequest {
  return { id, versionId: target.versionId, versionStage: target.versionStage };
}
