import {
  CofferClientError,
  type GetOptions,
  SecretNotFoundError,
  type SecretRecord,
  type SecretsClient,
  SecretValidationError,
} from "@coffer/client";

/** Test double for the client library: secrets by id, and what was asked of it. */
export interface FakeSecrets {
  client: SecretsClient;
  /** Every id or reference asked for, in order. */
  asked: string[];
  closed: () => boolean;
}

/**
 * A `SecretsClient` over a fixed map of id → SecretString, following the contract: references may
 * carry a `coffer://` scheme and a `#field`; `resolve` rejects once, listing every failure as
 * `failures[].error`. `fail(id)` can make one id throw instead (access denied, backend down).
 */
export function fakeSecretsClient(
  values: Readonly<Record<string, string>>,
  fail: (id: string) => Error | undefined = () => undefined,
): FakeSecrets {
  const asked: string[] = [];
  let isClosed = false;

  const read = (reference: string): string => {
    asked.push(reference);
    const bare = reference.replace(/^coffer:\/\//, "");
    const hash = bare.indexOf("#");
    const id = hash === -1 ? bare : bare.slice(0, hash);
    const field = hash === -1 ? undefined : bare.slice(hash + 1);
    const error = fail(id);
    if (error !== undefined) throw error;
    const value = values[id];
    if (value === undefined) throw new SecretNotFoundError(id, { sources: ["fake"] });
    if (field === undefined) return value;
    const parsed: unknown = JSON.parse(value);
    const fieldValue = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, field) : undefined;
    if (fieldValue === undefined) throw new SecretNotFoundError(id, { field });
    return typeof fieldValue === "string" ? fieldValue : JSON.stringify(fieldValue);
  };

  const client: SecretsClient = {
    get: async (id: string, _options?: GetOptions) => read(id),
    getJson: async <T>(id: string): Promise<T> => {
      const text = read(id);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new SecretValidationError(id, [{ path: [], message: "not valid JSON" }]);
      }
    },
    getBinary: async (id: string) => Buffer.from(read(id)),
    getRecord: async (id: string): Promise<SecretRecord> => ({ id, source: "fake", string: read(id) }),
    resolve: async <K extends string>(references: Record<K, string>): Promise<Record<K, string>> => {
      const resolved: Partial<Record<K, string>> = {};
      const failures: Array<{ key: string; reference: string; error: Error }> = [];
      for (const key of Object.keys(references) as K[]) {
        try {
          resolved[key] = read(references[key]);
        } catch (error) {
          failures.push({
            key,
            reference: references[key],
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      }
      if (failures.length > 0) {
        const lines = failures.map((f) => `${f.key} → ${f.reference}: ${f.error.name}`).join("\n  ");
        throw Object.assign(
          new CofferClientError(`${failures.length} of the references could not be resolved:\n  ${lines}`),
          {
            failures,
          },
        );
      }
      return resolved as Record<K, string>;
    },
    invalidate: () => {},
    close: async () => {
      isClosed = true;
    },
  };
  return { client, asked, closed: () => isClosed };
}
