import { CofferClientError } from "../errors.js";
import type { Backend, BatchResult, FetchRequest, SecretRecord } from "../types.js";

/**
 * Several backends in an explicit order: the first that has the secret wins. "Not here"
 * (`undefined`) moves on to the next backend; any error stops the chain for that secret, so an
 * unreachable or refusing source never silently hands over to a lower-priority one.
 */
export class ChainBackend implements Backend {
  readonly name = "chain";
  readonly backends: readonly Backend[];

  constructor(backends: readonly Backend[]) {
    if (backends.length === 0) throw new CofferClientError("At least one source is needed.");
    this.backends = backends;
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    for (const backend of this.backends) {
      const record = await backend.get(request);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** Each backend in turn gets the ids still unresolved, in one batch when it has `getMany`. */
  async getMany(ids: readonly string[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    let pending = [...new Set(ids)];
    for (const backend of this.backends) {
      if (pending.length === 0) break;
      const answers = await manyFrom(backend, pending);
      const next: string[] = [];
      for (const id of pending) {
        const answer = answers.get(id);
        if (answer === undefined) next.push(id);
        else results.set(id, answer);
      }
      pending = next;
    }
    for (const id of pending) results.set(id, undefined);
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.backends.map((backend) => backend.close?.()));
  }
}

/** `backend.getMany` when it has one, else `get` for each id concurrently. Never rejects. */
export async function manyFrom(backend: Backend, ids: readonly string[]): Promise<Map<string, BatchResult>> {
  if (backend.getMany !== undefined) {
    try {
      return await backend.getMany(ids);
    } catch {
      // A failing batch is retried item by item below.
    }
  }
  const results = new Map<string, BatchResult>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        results.set(id, await backend.get({ id }));
      } catch (error) {
        results.set(id, error instanceof Error ? error : new CofferClientError(String(error)));
      }
    }),
  );
  return results;
}
