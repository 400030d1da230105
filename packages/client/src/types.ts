import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Timeouts } from "./sdk-client.js";

/** One secret value as a backend returned it. `source` names the backend ("coffer", "aws", "env", "files", "dotenv", "agent"). */
export interface SecretRecord {
  /** The id asked for (without any #field). */
  id: string;
  source: string;
  name?: string;
  arn?: string;
  versionId?: string;
  versionStages?: string[];
  createdDate?: Date;
  /** Exactly one of `string` / `binary` is set. */
  string?: string;
  binary?: Uint8Array;
}

export interface GetOptions {
  versionId?: string;
  versionStage?: string;
  /** Skip the cache and go to the backend (the result refreshes the cache). */
  forceFetch?: boolean;
}

export interface GetJsonOptions<T> extends GetOptions {
  /** Any Standard Schema validator (zod, valibot, arktype…); the result is typed by it. */
  schema?: StandardSchemaV1<unknown, T>;
}

export interface SecretsClient {
  /** The SecretString; with "name#field" (or a coffer:// reference with #field), one top-level JSON field as a string. */
  get(id: string, options?: GetOptions): Promise<string>;
  /**
   * The SecretString parsed as JSON; with `schema` (any Standard Schema validator: zod, valibot…) validated and typed.
   * The object returned is shared by every caller and deeply frozen: do not mutate it.
   */
  getJson<T = Record<string, unknown>>(
    id: string,
    options?: GetOptions & { schema?: StandardSchemaV1<unknown, T> },
  ): Promise<T>;
  getBinary(id: string, options?: GetOptions): Promise<Uint8Array>;
  /** The whole record (used by the agent to answer in GetSecretValue shape). Frozen and shared: do not mutate. */
  getRecord(id: string, options?: GetOptions): Promise<SecretRecord>;
  /** Many at once: { DB_PASSWORD: "prod/db#password", KEY: "coffer://api/key" } → { DB_PASSWORD: "...", KEY: "..." }.
   *  Uses BatchGetSecretValue where the backend has it. Rejects with one error listing every missing reference. */
  resolve<K extends string>(references: Record<K, string>): Promise<Record<K, string>>;
  /** Drop one cached secret, or all. */
  invalidate(id?: string): void;
  /** Stop timers and the change-feed subscription. */
  close(): Promise<void>;
}

/** What a backend is asked for. */
export interface FetchRequest {
  /** Secret id as the backend understands it (name or ARN; a file name; an env var name…), without #field. */
  readonly id: string;
  readonly versionId?: string | undefined;
  readonly versionStage?: string | undefined;
}

/** Outcome of one id in a batch read: the record, `undefined` when this backend does not have it, or the error. */
export type BatchResult = SecretRecord | undefined | Error;

/**
 * A source of secrets. Write your own to plug one in (`sources: [myBackend, "env"]`).
 * `get` resolves to `undefined` when the secret is not there (the next source is asked), and
 * rejects for anything else — which stops the chain — with a `CofferClientError` subclass.
 */
export interface Backend {
  /** Reported as `SecretRecord.source` and in events, e.g. "coffer". */
  readonly name: string;
  get(request: FetchRequest): Promise<SecretRecord | undefined>;
  /** Current versions of many ids at once (BatchGetSecretValue); optional. */
  getMany?(ids: readonly string[]): Promise<Map<string, BatchResult>>;
  close?(): void | Promise<void>;
}

/** A built-in backend by configuration, as COFFER_SOURCE would give it. */
export type SourceSpec =
  | {
      kind: "coffer";
      /**
       * Default: COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, the AWS profile's
       * endpoint_url, else http://127.0.0.1:7373 (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the AWS ones).
       */
      endpoint?: string;
      region?: string;
      /** Connect and read time-outs in seconds; default COFFER_CONNECT_TIMEOUT / COFFER_READ_TIMEOUT, else 3 and 10. */
      timeouts?: Timeouts;
      /** Use this SDK client (tests, custom middleware) instead of building one. */
      client?: SecretsManagerClient;
      /** Subscribe to GET /changes (default: the client's `changeFeed` option, true). */
      changeFeed?: boolean;
    }
  | { kind: "aws"; region?: string; client?: SecretsManagerClient; timeouts?: Timeouts }
  | {
      kind: "env";
      /** The variables to read; default the process environment. */
      env?: Readonly<Record<string, string | undefined>>;
    }
  | {
      kind: "files";
      /** Default /run/secrets. */
      dir?: string;
    }
  | {
      kind: "dotenv";
      /** Default .env in the working directory. */
      path?: string;
    }
  | {
      kind: "agent";
      /** Default http://127.0.0.1:2773. */
      url?: string;
      /** X-Aws-Parameters-Secrets-Token; default COFFER_AGENT_TOKEN or AWS_TOKEN (a `file://` value is read from the file). */
      token?: string;
    };

export type SourceKind = SourceSpec["kind"];

export interface CacheOptions {
  /** How long a value is served without asking the backend. Default 5 minutes. */
  ttlMs?: number;
  /** Bound on cached secrets (those not read since the last eviction are dropped first: second-chance LRU). Default 1000. */
  maxEntries?: number;
  /** A hit this close to expiry refetches in the background. Default 1 minute (at most half the TTL). */
  refreshAheadMs?: number;
  /** After expiry, while the backend is unreachable, the last good value is served this long. Default 15 minutes. */
  maxStaleMs?: number;
}

export interface FetchEvent {
  /** The id as asked, without #field; for a background refresh, the id being refreshed. */
  id: string;
  /** The backend that answered (or was asked), e.g. "coffer"; "chain" when none of several had it. */
  source: string;
  /** hit: served from memory, no I/O; miss: went to the backend; stale: backend failed, last good value served. */
  cache: "hit" | "miss" | "stale";
  /** Milliseconds spent (0 for a hit). */
  latencyMs: number;
  /** True for refresh-ahead and change-feed refetches, which no caller waits for. */
  background: boolean;
  /** The backend error, when there was one. */
  error?: Error;
}

export interface ErrorContext {
  id: string;
  source: string;
  servedStale: boolean;
}

export interface SecretsOptions {
  /** Backends in order (first that has the secret wins); default from COFFER_SOURCE, else ["coffer"] when an endpoint is configured, else ["aws"]. */
  sources?: Array<Backend | SourceSpec | SourceKind>;
  cache?: CacheOptions | false;
  /** Reports every fetch: backend, latency, cache hit/miss/stale, error. */
  onFetch?: (event: FetchEvent) => void;
  /** Reports backend errors hidden by a stale value (and failures of background refreshes and of the change feed). */
  onError?: (error: Error, context: ErrorContext) => void;
  /** Encrypted last-known-good copy on disk, used only when the backend is unreachable at start. Off by default. */
  fileCache?: { path: string; key: Uint8Array | string; maxAgeMs: number };
  /** Subscribe to the change feed of "coffer" sources. Default true. */
  changeFeed?: boolean;
  /**
   * Opt-in: every this many seconds, report this process's cold start and its cache hits and misses
   * to the first "coffer" source (`coffer.ReportClientMetrics`; the credentials need
   * `coffer:ReportClientMetrics`), for the console's Observability page. A number is the interval;
   * `clientId` (default: the host name) names this client there; `kind` is "agent" for the
   * Coffer agent (default "client"). Default: COFFER_REPORT_METRICS (seconds), else off. Never keeps the process alive,
   * never fails a read: a report that fails goes to `onError` (source `"metrics"`).
   */
  reportMetrics?: number | { intervalSeconds: number; clientId?: string; kind?: "client" | "agent" };
}

/** Credentials an AWS SDK signs with (the change feed signs its own requests with them too). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}
