import { manyFrom } from "./backends/chain.js";
import { createBackend } from "./backends/create.js";
import { SecretsManagerBackend } from "./backends/secrets-manager.js";
import type { CacheClock } from "./cache/clock.js";
import { resolveCacheOptions } from "./cache/options.js";
import { type CacheEntry, SecretCache } from "./cache/secret-cache.js";
import { ChangeFeed, type SecretChangedEvent } from "./change-feed.js";
import { type ClientConfig, configuredSources, processConfig } from "./config.js";
import {
  CofferClientError,
  SecretNotFoundError,
  type UnresolvedReference,
  UnresolvedReferencesError,
} from "./errors.js";
import { FileCache } from "./file-cache.js";
import { Hooks } from "./hooks.js";
import { deepFreeze, fieldOf, fieldText, parseSecretJson } from "./json.js";
import { MetricsReporter } from "./metrics-reporter.js";
import { parseReference, type Target, toTarget } from "./reference.js";
import { Router } from "./router.js";
import { validateWithSchema } from "./schema.js";
import type {
  Backend,
  FetchEvent,
  GetJsonOptions,
  GetOptions,
  SecretRecord,
  SecretsClient,
  SecretsOptions,
  SourceKind,
  SourceSpec,
} from "./types.js";

/** Extra, undocumented knobs for tests. */
export interface InternalOptions {
  /** Configuration to use instead of the process environment. */
  config?: ClientConfig;
  /** Clock for the cache (default Date.now); with it, every cache hit reads it (no fast window). */
  now?: () => number;
  /** Clock with timers for the cache (default Date.now and setTimeout); wins over `now`. */
  clock?: CacheClock;
  /** Change-feed reconnect backoff. */
  feedDelayMs?: { initial: number; max: number };
  /** Called each time a change feed (re)connects. */
  onFeedOpen?: () => void;
}

/** Errors reported by the change feed carry this id. */
export const CHANGE_FEED_ID = "/changes";
/** Errors of metrics reports (`reportMetrics`) carry this id, with source "metrics". */
export const METRICS_REPORT_ID = "/metrics-report";
const MAX_MEMOIZED_TARGETS = 10_000;

/** Builds a client. Nothing is read or connected until the first request. */
export function createSecrets(options: SecretsOptions = {}): SecretsClient {
  return new CofferSecrets(options);
}

/** `createSecrets` with the test knobs (not exported from the package). */
export function createSecretsForTest(options: SecretsOptions & InternalOptions): SecretsClient {
  return new CofferSecrets(options);
}

class CofferSecrets implements SecretsClient {
  readonly #hooks: Hooks;
  readonly #router: Router;
  readonly #cache: SecretCache;
  readonly #fileCache: FileCache | undefined;
  readonly #feeds = new Map<Backend, ChangeFeed>();
  readonly #noFeed = new WeakSet<Backend>();
  readonly #feedsEnabled: boolean;
  readonly #feedDelay: { initial: number; max: number } | undefined;
  readonly #onFeedOpen: (() => void) | undefined;
  /** Parsed targets of plain `get(id)` calls, so a hit does not re-parse the reference. */
  readonly #targets = new Map<string, Target>();
  readonly #reporter: MetricsReporter | undefined;
  #closed = false;

  constructor(options: SecretsOptions & InternalOptions) {
    let config = options.config;
    const configOf = () => {
      config ??= processConfig();
      return config;
    };
    // The option, else COFFER_REPORT_METRICS (so the default `secrets` client can report too).
    const reporting = options.reportMetrics ?? configOf().reportMetricsSeconds;
    this.#reporter =
      reporting === undefined
        ? undefined
        : new MetricsReporter({
            intervalSeconds: typeof reporting === "number" ? reporting : reporting.intervalSeconds,
            clientId: typeof reporting === "number" ? undefined : reporting.clientId,
            kind: typeof reporting === "number" ? "client" : (reporting.kind ?? "client"),
            target: async () => this.#cofferBackend()?.feedTarget(),
            onError: (error) =>
              this.#hooks.error(error, { id: METRICS_REPORT_ID, source: "metrics", servedStale: false }),
          });
    this.#hooks = new Hooks(
      this.#reporter === undefined
        ? options
        : { ...options, onFetch: countingFetches(this.#reporter, options.onFetch) },
    );
    const specs = options.sources ?? configuredSources(configOf());
    if (specs.length === 0) throw new CofferClientError("sources is empty: name at least one source.");
    const backends = specs.map((spec) => this.#backendOf(spec, configOf, options.changeFeed));
    this.#router = new Router(backends, configOf);
    this.#feedsEnabled = options.changeFeed !== false;
    this.#feedDelay = options.feedDelayMs;
    this.#onFeedOpen = options.onFeedOpen;
    const reportFileCacheError = (error: Error) =>
      this.#hooks.error(error, {
        id: options.fileCache?.path ?? "",
        source: "fileCache",
        servedStale: false,
      });
    this.#fileCache =
      options.fileCache === undefined ? undefined : new FileCache(options.fileCache, reportFileCacheError);
    this.#cache = new SecretCache(resolveCacheOptions(options.cache), {
      hooks: this.#hooks,
      load: (target) => this.#load(target),
      loadMany: (targets) => this.#loadMany(targets),
      lastKnownGood: this.#fileCache,
      now: options.now,
      clock: options.clock,
    });
  }

  get(id: string, options?: GetOptions): Promise<string> {
    try {
      const target = this.#target(id, options);
      if (options?.forceFetch !== true) {
        const entry = this.#cache.hit(target);
        if (entry !== undefined) return textAnswerOf(entry, target);
      }
      return this.#cache.fetch(target, options?.forceFetch === true).then((entry) => textOf(entry, target));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getJson<T = Record<string, unknown>>(id: string, options?: GetJsonOptions<T>): Promise<T> {
    try {
      const target = this.#target(id, options);
      if (options?.forceFetch !== true) {
        const entry = this.#cache.hit(target);
        if (entry !== undefined) return jsonAnswerOf<T>(entry, target, options?.schema);
      }
      return this.#cache
        .fetch(target, options?.forceFetch === true)
        .then((entry) => jsonValueOf<T>(entry, target, options?.schema));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getBinary(id: string, options?: GetOptions): Promise<Uint8Array> {
    try {
      const target = this.#target(id, options);
      if (target.field !== undefined) {
        throw new CofferClientError(`getBinary reads whole secrets; '${id}' names a field (use get).`);
      }
      return this.#entry(target, options).then((entry) => {
        const { binary, string } = entry.record;
        // A copy: the cached bytes must not be changed by a caller.
        return binary !== undefined
          ? new Uint8Array(binary)
          : new Uint8Array(Buffer.from(string ?? "", "utf8"));
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getRecord(id: string, options?: GetOptions): Promise<SecretRecord> {
    try {
      const target = this.#target(id, options);
      if (options?.forceFetch !== true) {
        const entry = this.#cache.hit(target);
        if (entry !== undefined) {
          entry.recordAnswer ??= Promise.resolve(entry.record);
          return entry.recordAnswer;
        }
      }
      return this.#cache.fetch(target, options?.forceFetch === true).then((entry) => entry.record);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async resolve<K extends string>(references: Record<K, string>): Promise<Record<K, string>> {
    this.#checkOpen();
    const keys = Object.keys(references) as K[];
    const failures: UnresolvedReference[] = [];
    const targets: Array<{ key: K; reference: string; target: Target }> = [];
    for (const key of keys) {
      const reference = references[key];
      try {
        targets.push({ key, reference, target: this.#target(reference, undefined) });
      } catch (error) {
        failures.push({ key, reference, error: error as Error });
      }
    }
    const entries = await this.#cache.fetchMany(targets.map(({ target }) => target));
    const result = {} as Record<K, string>;
    for (const [index, { key, reference, target }] of targets.entries()) {
      const entry = entries[index] as CacheEntry | Error;
      try {
        if (entry instanceof Error) throw entry;
        result[key] = textOf(entry, target);
      } catch (error) {
        failures.push({
          key,
          reference,
          error: error instanceof Error ? error : new CofferClientError(String(error)),
        });
      }
    }
    if (failures.length > 0) {
      const order = new Map(keys.map((key, index) => [key as string, index]));
      failures.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
      throw new UnresolvedReferencesError(failures);
    }
    return result;
  }

  invalidate(id?: string): void {
    if (id === undefined) {
      this.#cache.drop();
      return;
    }
    let secretId = id;
    try {
      secretId = parseReference(id).id;
    } catch {
      // Not a valid reference: match it as given.
    }
    this.#cache.drop(
      (target, record) => target.id === secretId || record?.name === secretId || record?.arn === secretId,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reporter?.close();
    await Promise.all([...this.#feeds.values()].map((feed) => feed.close()));
    this.#feeds.clear();
    await this.#fileCache?.flush();
    await this.#router.close();
  }

  #entry(target: Target, options: GetOptions | undefined): Promise<CacheEntry> {
    if (options?.forceFetch !== true) {
      const entry = this.#cache.hit(target);
      if (entry !== undefined) return Promise.resolve(entry);
    }
    return this.#cache.fetch(target, options?.forceFetch === true);
  }

  #target(id: string, options: GetOptions | undefined): Target {
    this.#checkOpen();
    const versioned =
      options !== undefined && (options.versionId !== undefined || options.versionStage !== undefined);
    if (!versioned) {
      const known = this.#targets.get(id);
      if (known !== undefined) return known;
    }
    const target = toTarget(parseReference(id), options?.versionId, options?.versionStage);
    if (!versioned) {
      if (this.#targets.size >= MAX_MEMOIZED_TARGETS) this.#targets.clear();
      this.#targets.set(id, target);
    }
    return target;
  }

  #checkOpen(): void {
    if (this.#closed) throw new CofferClientError("This secrets client is closed.");
  }

  async #load(target: Target): Promise<SecretRecord> {
    const { backend, request } = this.#router.route(target);
    this.#startFeeds();
    const record = await backend.get(request);
    if (record === undefined)
      throw new SecretNotFoundError(target.id, { sources: this.#router.namesOf(backend) });
    return record.id === target.id ? record : { ...record, id: target.id };
  }

  /** Current versions of many targets: one batch per backend where it has one, one by one otherwise. */
  async #loadMany(targets: readonly Target[]): Promise<Map<string, SecretRecord | Error>> {
    const results = new Map<string, SecretRecord | Error>();
    const groups = new Map<Backend, Map<string, Target[]>>();
    const single: Target[] = [];
    for (const target of targets) {
      if (target.versionId !== undefined || target.versionStage !== undefined) {
        single.push(target);
        continue;
      }
      try {
        const { backend, request } = this.#router.route(target);
        let group = groups.get(backend);
        if (group === undefined) {
          group = new Map();
          groups.set(backend, group);
        }
        group.set(request.id, [...(group.get(request.id) ?? []), target]);
      } catch (error) {
        results.set(target.key, error as Error);
      }
    }
    this.#startFeeds();
    await Promise.all([
      ...[...groups].map(async ([backend, group]) => {
        const answers = await manyFrom(backend, [...group.keys()]);
        for (const [requestId, members] of group) {
          const answer = answers.get(requestId);
          for (const target of members) {
            results.set(
              target.key,
              answer === undefined
                ? new SecretNotFoundError(target.id, { sources: this.#router.namesOf(backend) })
                : answer instanceof Error
                  ? answer
                  : answer.id === target.id
                    ? answer
                    : { ...answer, id: target.id },
            );
          }
        }
      }),
      ...single.map(async (target) => {
        results.set(target.key, await this.#load(target).catch((error: unknown) => error as Error));
      }),
    ]);
    return results;
  }

  #backendOf(
    spec: Backend | SourceSpec | SourceKind,
    config: () => ClientConfig,
    feedDefault: boolean | undefined,
  ) {
    if (typeof spec === "string") return createBackend({ kind: spec } as SourceSpec, config());
    if ("kind" in spec && typeof spec.kind === "string" && !("get" in spec)) {
      const backend = createBackend(spec, config());
      if (
        spec.kind === "coffer" &&
        (spec.changeFeed === false || (spec.changeFeed === undefined && feedDefault === false))
      ) {
        this.#noFeed.add(backend);
      }
      return backend;
    }
    return spec as Backend;
  }

  /** The first "coffer" source, where metrics are reported. */
  #cofferBackend(): SecretsManagerBackend | undefined {
    for (const backend of this.#router.all()) {
      if (backend instanceof SecretsManagerBackend && backend.name === "coffer") return backend;
    }
    return undefined;
  }

  /** Subscribes to the change feed of every coffer source in use (on the first backend request, never on a hit). */
  #startFeeds(): void {
    if (!this.#feedsEnabled || this.#closed) return;
    for (const backend of this.#router.all()) {
      if (!(backend instanceof SecretsManagerBackend) || backend.name !== "coffer") continue;
      if (this.#feeds.has(backend) || this.#noFeed.has(backend)) continue;
      const feed = new ChangeFeed({
        target: () => backend.feedTarget(),
        onChange: (event) => this.#changed(backend, event),
        onReset: () => this.#expireFrom(backend),
        onError: (error) =>
          this.#hooks.error(error, { id: CHANGE_FEED_ID, source: backend.name, servedStale: false }),
        onOpen: () => this.#onFeedOpen?.(),
        ...(this.#feedDelay === undefined
          ? {}
          : { initialDelayMs: this.#feedDelay.initial, maxDelayMs: this.#feedDelay.max }),
      });
      this.#feeds.set(backend, feed);
      feed.start();
    }
  }

  /** A secret changed: expire what we hold of it (by name and ARN) and refetch it in the background. */
  #changed(backend: Backend, event: SecretChangedEvent): void {
    const { Name: name, ARN: arn } = event;
    if (name === undefined && arn === undefined) return;
    this.#cache.expire(
      (target, record) =>
        (target.scheme === "" || target.scheme === backend.name) &&
        (record === undefined || record.source === backend.name) &&
        (target.id === name ||
          target.id === arn ||
          (record !== undefined &&
            ((name !== undefined && record.name === name) || (arn !== undefined && record.arn === arn))) ||
          (arn !== undefined && target.id.startsWith("arn:") && arn.startsWith(`${target.id}-`))),
      (entry) => entry.target.versionId === undefined,
    );
  }

  #expireFrom(backend: Backend): void {
    this.#cache.expire(
      (_target, record) => record !== undefined && record.source === backend.name,
      () => false,
    );
  }
}

/**
 * An onFetch that counts foreground reads for the reporter, then calls the caller's own listener.
 * Background refreshes are not counted: no caller waited for them.
 */
function countingFetches(
  reporter: MetricsReporter,
  listener: ((event: FetchEvent) => void) | undefined,
): (event: FetchEvent) => void {
  return (event) => {
    if (!event.background) {
      if (event.cache === "hit") reporter.hit();
      else reporter.miss();
    }
    listener?.(event);
  };
}

/** The string `get` returns: the SecretString, or one field of it. Synchronous: used on the hit path. */
function textOf(entry: CacheEntry, target: Target): string {
  if (target.field === undefined) {
    const text = entry.record.string;
    if (text === undefined) {
      throw new CofferClientError(`Secret '${target.id}' is binary; read it with getBinary.`);
    }
    return text;
  }
  const value = fieldOf(target.id, jsonOf(entry, target), target.field);
  if (value === undefined) throw new SecretNotFoundError(target.id, { field: target.field });
  return fieldText(value);
}

/**
 * What a `get` hit resolves to, as a settled promise built once per entry (and field), so a hit
 * allocates nothing. Errors (binary secret, missing field) are not kept: each call rejects anew.
 */
function textAnswerOf(entry: CacheEntry, target: Target): Promise<string> {
  if (target.field === undefined) {
    entry.textAnswer ??= Promise.resolve(textOf(entry, target));
    return entry.textAnswer;
  }
  const answers = fieldAnswersOf(entry, target, target.field);
  answers.text ??= Promise.resolve(textOf(entry, target));
  return answers.text;
}

/** What a `getJson` hit resolves to; like `textAnswerOf`, and per schema for validated reads. */
function jsonAnswerOf<T>(entry: CacheEntry, target: Target, schema: GetJsonOptions<T>["schema"]): Promise<T> {
  if (schema === undefined) {
    if (target.field === undefined) {
      entry.jsonAnswer ??= Promise.resolve(jsonOf(entry, target));
      return entry.jsonAnswer as Promise<T>;
    }
    return fieldAnswersOf(entry, target, target.field).json as Promise<T>;
  }
  const value = jsonValueOf<T>(entry, target, schema);
  return value instanceof Promise ? value : Promise.resolve(value);
}

function fieldAnswersOf(
  entry: CacheEntry,
  target: Target,
  field: string,
): { json: Promise<unknown>; text: Promise<string> | undefined } {
  entry.fieldAnswers ??= new Map();
  let answers = entry.fieldAnswers.get(field);
  if (answers === undefined) {
    const value = fieldOf(target.id, jsonOf(entry, target), field);
    if (value === undefined) throw new SecretNotFoundError(target.id, { field });
    answers = { json: Promise.resolve(value), text: undefined };
    entry.fieldAnswers.set(field, answers);
  }
  return answers;
}

/** The parsed, deeply frozen JSON of an entry, parsed once per entry. */
function jsonOf(entry: CacheEntry, target: Target): unknown {
  if (entry.jsonState === "parsed") return entry.json;
  if (entry.jsonState === "invalid") throw entry.jsonError;
  const text = entry.record.string;
  try {
    if (text === undefined) {
      throw new CofferClientError(`Secret '${target.id}' is binary, not JSON; read it with getBinary.`);
    }
    entry.json = deepFreeze(parseSecretJson(target.id, text));
    entry.jsonState = "parsed";
    return entry.json;
  } catch (error) {
    entry.jsonState = "invalid";
    entry.jsonError = error as Error;
    throw error;
  }
}

function jsonValueOf<T>(
  entry: CacheEntry,
  target: Target,
  schema: GetJsonOptions<T>["schema"],
): T | Promise<T> {
  const json = jsonOf(entry, target);
  let value: unknown = json;
  if (target.field !== undefined) {
    value = fieldOf(target.id, json, target.field);
    if (value === undefined) throw new SecretNotFoundError(target.id, { field: target.field });
  }
  if (schema === undefined) return value as T;
  const memo = target.field === undefined ? entry.validated?.get(schema) : undefined;
  if (memo !== undefined) return memo as Promise<T>;
  const validated = validateWithSchema(
    target.id,
    schema,
    value,
    target.field === undefined ? [] : [target.field],
  );
  const keep = (output: T): T => {
    const frozen = deepFreeze(output);
    if (target.field === undefined) {
      entry.validated ??= new WeakMap();
      entry.validated.set(schema, Promise.resolve(frozen));
    }
    return frozen;
  };
  return validated instanceof Promise ? validated.then(keep) : keep(validated);
}
