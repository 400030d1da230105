import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
  type SecretValueEntry,
} from "@aws-sdk/client-secrets-manager";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { FeedTarget } from "../change-feed.js";
import { DEFAULT_COFFER_ENDPOINT, profileEndpoint } from "../endpoint.js";
import { AccessDeniedError, BackendUnavailableError, CofferClientError } from "../errors.js";
import {
  createSdkClient,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_READ_TIMEOUT_SECONDS,
  type Timeouts,
} from "../sdk-client.js";
import { classifyTransportFailure } from "../transport-failure.js";
import type { AwsCredentials, Backend, BatchResult, FetchRequest, SecretRecord } from "../types.js";

/** BatchGetSecretValue takes at most 20 ids. */
const BATCH_LIMIT = 20;
/** Coffer ignores the region except in signatures; any fixed value works when none is configured. */
const FALLBACK_REGION = "us-east-1";

export interface SecretsManagerBackendOptions {
  kind: "coffer" | "aws";
  /** An SDK client to use as is (never destroyed by this backend). */
  client?: SecretsManagerClient | undefined;
  /**
   * coffer: the endpoint URL. Default: the AWS profile's `endpoint_url` (the end of the precedence of
   * `endpointFromEnvironment`, which the configuration has already applied), else http://127.0.0.1:7373.
   */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Connect and read time-outs in seconds (default 3 and 10); a request past them fails as unavailable. */
  timeouts?: Timeouts | undefined;
}

/**
 * Coffer and AWS Secrets Manager through the official SDK client: SigV4, the default credential
 * provider chain (env, shared profile, SSO, process, ECS/EC2/Lambda roles), retries and endpoint
 * resolution are the SDK's. Not-found reads as "not here"; other failures become the client's errors.
 */
export class SecretsManagerBackend implements Backend {
  readonly name: "coffer" | "aws";
  readonly client: SecretsManagerClient;
  /** coffer: the endpoint the client was built with, when this backend built it. */
  readonly endpoint: string | undefined;
  readonly #owned: boolean;

  constructor(options: SecretsManagerBackendOptions) {
    this.name = options.kind;
    this.endpoint = options.client === undefined ? options.endpoint : undefined;
    this.#owned = options.client === undefined;
    const timeouts = options.timeouts ?? {
      connectSeconds: DEFAULT_CONNECT_TIMEOUT_SECONDS,
      readSeconds: DEFAULT_READ_TIMEOUT_SECONDS,
    };
    this.client =
      options.client ??
      createSdkClient(
        {
          region:
            options.region ?? (options.kind === "coffer" ? configuredRegionOr(FALLBACK_REGION) : undefined),
          ...(options.kind === "coffer"
            ? { endpoint: options.endpoint ?? profileOrDefaultEndpoint(), maxAttempts: 2 }
            : {}),
        },
        timeouts,
      );
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    let output: GetSecretValueCommandOutput;
    try {
      output = await this.client.send(
        new GetSecretValueCommand({
          SecretId: request.id,
          VersionId: request.versionId,
          VersionStage: request.versionStage,
        }),
      );
    } catch (error) {
      const failure = classifySdkError(this.name, error, request.id, this.endpoint);
      if (failure === undefined) return undefined;
      throw failure;
    }
    return toRecord(request.id, this.name, output);
  }

  /**
   * Current versions through BatchGetSecretValue, 20 ids per call. Ids the batch did not answer
   * (an id form it does not echo, a per-item error other than not-found, or a failed batch call
   * for any reason but unavailability) fall back to GetSecretValue one by one.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    const chunks: string[][] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_LIMIT) chunks.push(unique.slice(i, i + BATCH_LIMIT));
    await Promise.all(chunks.map((chunk) => this.#batch(chunk, results)));
    return results;
  }

  async #batch(ids: string[], results: Map<string, BatchResult>): Promise<void> {
    let output: BatchGetSecretValueCommandOutput;
    try {
      output = await this.client.send(new BatchGetSecretValueCommand({ SecretIdList: ids }));
    } catch (error) {
      const failure = classifySdkError(this.name, error, undefined, this.endpoint);
      if (failure instanceof BackendUnavailableError) {
        for (const id of ids) results.set(id, failure);
        return;
      }
      await this.#oneByOne(ids, results);
      return;
    }
    const byName = new Map<string, SecretValueEntry>();
    const byArn = new Map<string, SecretValueEntry>();
    for (const entry of output.SecretValues ?? []) {
      if (entry.Name !== undefined) byName.set(entry.Name, entry);
      if (entry.ARN !== undefined) byArn.set(entry.ARN, entry);
    }
    const notFound = new Set(
      (output.Errors ?? [])
        .filter((error) => error.ErrorCode === "ResourceNotFoundException" && error.SecretId !== undefined)
        .map((error) => error.SecretId as string),
    );
    const rest: string[] = [];
    for (const id of ids) {
      const entry = byName.get(id) ?? byArn.get(id);
      if (entry !== undefined) results.set(id, toRecord(id, this.name, entry));
      else if (notFound.has(id)) results.set(id, undefined);
      else rest.push(id);
    }
    await this.#oneByOne(rest, results);
  }

  async #oneByOne(ids: string[], results: Map<string, BatchResult>): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        try {
          results.set(id, await this.get({ id }));
        } catch (error) {
          results.set(id, error instanceof Error ? error : new CofferClientError(String(error)));
        }
      }),
    );
  }

  /**
   * Where the change feed of this source is and how to sign for it: the SDK client's own endpoint,
   * region, credentials (its default provider chain, or `fromNodeProviderChain()` if it has none)
   * and hash.
   */
  async feedTarget(): Promise<FeedTarget> {
    const config = this.client.config;
    const endpoint = await config.endpoint?.();
    const url =
      endpoint !== undefined
        ? new URL(
            `${endpoint.protocol}//${endpoint.hostname}${endpoint.port === undefined ? "" : `:${endpoint.port}`}${endpoint.path}`,
          )
        : new URL(this.endpoint ?? "");
    const region = await config.region();
    const provider: () => Promise<AwsCredentials> =
      typeof config.credentials === "function" ? config.credentials : fromNodeProviderChain();
    return { url, region, credentials: () => provider(), sha256: config.sha256 };
  }

  close(): void {
    if (this.#owned) this.client.destroy();
  }
}

function toRecord(
  id: string,
  source: string,
  output: GetSecretValueCommandOutput | SecretValueEntry,
): SecretRecord {
  const record: SecretRecord = { id, source };
  if (output.Name !== undefined) record.name = output.Name;
  if (output.ARN !== undefined) record.arn = output.ARN;
  if (output.VersionId !== undefined) record.versionId = output.VersionId;
  if (output.VersionStages !== undefined) record.versionStages = output.VersionStages;
  if (output.CreatedDate !== undefined) record.createdDate = output.CreatedDate;
  if (output.SecretString !== undefined) record.string = output.SecretString;
  else if (output.SecretBinary !== undefined) record.binary = output.SecretBinary;
  else record.string = "";
  return record;
}

const accessDenied = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "CredentialsProviderError",
]);
const unavailable = new Set([
  "InternalServiceError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "RequestTimeoutError",
]);
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/**
 * An SDK failure as the client's error; `undefined` for "not found". Messages carry the error's
 * name and the service's message, which never holds a secret value.
 */
export function classifySdkError(
  source: string,
  error: unknown,
  secretId: string | undefined,
  endpoint?: string,
): Error | undefined {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const code = (error as { code?: unknown } | undefined)?.code;
  const options = { secretId, cause: error };
  if (name === "ResourceNotFoundException") return undefined;
  const transport = classifyTransportFailure(error);
  if (transport !== undefined) {
    const at = endpoint === undefined ? "" : ` (${endpoint})`;
    return new BackendUnavailableError(source, `${transport.reason}${at}`, options);
  }
  if (accessDenied.has(name) || status === 401 || status === 403) {
    return new AccessDeniedError(source, `${name}: ${message}`, options);
  }
  if (
    unavailable.has(name) ||
    (status !== undefined && status >= 500) ||
    (typeof code === "string" && networkCodes.has(code))
  ) {
    return new BackendUnavailableError(source, `${name}: ${message}`, options);
  }
  return new CofferClientError(
    `${source}: ${name}: ${message}${secretId === undefined ? "" : ` (secret '${secretId}')`}`,
    { cause: error },
  );
}

/** The region the SDK finds (AWS_REGION, the profile), else `fallback` — as a memoized provider. */
function configuredRegionOr(fallback: string): () => Promise<string> {
  let region: Promise<string> | undefined;
  return () => {
    region ??= (async () => {
      const probe = createSdkClient({});
      try {
        return await probe.config.region();
      } catch {
        return fallback;
      } finally {
        probe.destroy();
      }
    })();
    return region;
  };
}

/** The profile's endpoint_url, else the local default, looked up once, on the first request. */
function profileOrDefaultEndpoint(): () => Promise<{ url: URL }> {
  let endpoint: Promise<{ url: URL }> | undefined;
  return () => {
    endpoint ??= profileEndpoint().then((url) => ({ url: new URL(url ?? DEFAULT_COFFER_ENDPOINT) }));
    return endpoint;
  };
}
