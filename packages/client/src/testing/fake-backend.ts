import { BackendUnavailableError } from "../errors.js";
import type { Backend, BatchResult, FetchRequest, SecretRecord } from "../types.js";

/**
 * An in-memory backend for tests: a map of id → string value, call counting, a switch to make it
 * unreachable, and an optional gate that holds every answer until released.
 */
export class FakeBackend implements Backend {
  readonly name: string;
  readonly values = new Map<string, string | Uint8Array>();
  readonly calls: FetchRequest[] = [];
  readonly batchCalls: string[][] = [];
  down = false;
  gate: Promise<void> | undefined;
  #version = 0;

  constructor(name = "fake", values: Record<string, string> = {}, options: { batch?: boolean } = {}) {
    this.name = name;
    for (const [id, value] of Object.entries(values)) this.values.set(id, value);
    if (options.batch === true) {
      this.getMany = async (ids: readonly string[]) => {
        this.batchCalls.push([...ids]);
        await this.gate;
        const results = new Map<string, BatchResult>();
        for (const id of ids) results.set(id, this.#answer({ id }));
        return results;
      };
    }
  }

  getMany?: (ids: readonly string[]) => Promise<Map<string, BatchResult>>;

  set(id: string, value: string | Uint8Array): void {
    this.values.set(id, value);
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    this.calls.push(request);
    await this.gate;
    const answer = this.#answer(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  #answer(request: FetchRequest): SecretRecord | undefined | Error {
    if (this.down)
      return new BackendUnavailableError(this.name, "connect ECONNREFUSED (fake)", { secretId: request.id });
    const value = this.values.get(request.id);
    if (value === undefined) return undefined;
    this.#version += 1;
    const record: SecretRecord = {
      id: request.id,
      source: this.name,
      name: request.id,
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${request.id}-AbCdEf`,
      versionId: `v${this.#version}`,
      versionStages: ["AWSCURRENT"],
    };
    if (typeof value === "string") record.string = value;
    else record.binary = value;
    return record;
  }
}
