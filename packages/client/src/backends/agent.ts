import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AccessDeniedError, BackendUnavailableError, CofferClientError } from "../errors.js";
import type { Backend, FetchRequest, SecretRecord } from "../types.js";

const TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";
const REQUEST_TIMEOUT_MS = 10_000;

interface AgentAnswer {
  ARN?: unknown;
  Name?: unknown;
  VersionId?: unknown;
  SecretString?: unknown;
  SecretBinary?: unknown;
  VersionStages?: unknown;
  CreatedDate?: unknown;
}

/**
 * The AWS Secrets Manager Agent protocol (served by `coffer agent` and by AWS's own agent):
 * `GET /secretsmanager/get?secretId=…[&versionId=…|&versionStage=…]` with the SSRF token header,
 * answered with the GetSecretValue JSON. A token given as `file:///path` is read from that file.
 */
export class AgentBackend implements Backend {
  readonly name = "agent";
  readonly url: string;
  readonly #token: string | undefined;
  #resolvedToken: Promise<string | undefined> | undefined;

  constructor(options: { url: string; token?: string | undefined }) {
    this.url = options.url.replace(/\/+$/, "");
    this.#token = options.token;
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    const query = new URLSearchParams({ secretId: request.id });
    if (request.versionId !== undefined) query.set("versionId", request.versionId);
    if (request.versionStage !== undefined) query.set("versionStage", request.versionStage);
    const token = await this.#tokenValue();
    let response: Response;
    try {
      response = await fetch(`${this.url}/secretsmanager/get?${query}`, {
        headers: token === undefined ? {} : { [TOKEN_HEADER]: token },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new BackendUnavailableError(this.name, `cannot reach the agent at ${this.url}`, {
        secretId: request.id,
        cause: error,
      });
    }
    const body = await response.text().catch(() => "");
    if (response.ok) return this.#record(request.id, body);
    const type = errorType(body);
    if (response.status === 404 || type === "ResourceNotFoundException") return undefined;
    if (response.status === 401 || response.status === 403 || type === "AccessDeniedException") {
      const hint = token === undefined ? " (no token: set COFFER_AGENT_TOKEN or AWS_TOKEN)" : "";
      throw new AccessDeniedError(
        this.name,
        `the agent refused the request: ${response.status} ${type ?? ""}${hint}`.trim(),
        {
          secretId: request.id,
        },
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new BackendUnavailableError(
        this.name,
        `the agent answered ${response.status} ${type ?? ""}`.trim(),
        {
          secretId: request.id,
        },
      );
    }
    throw new CofferClientError(
      `agent: request for secret '${request.id}' failed: ${response.status} ${type ?? ""}`.trim(),
    );
  }

  #record(id: string, body: string): SecretRecord {
    let answer: AgentAnswer;
    try {
      answer = JSON.parse(body) as AgentAnswer;
    } catch {
      throw new BackendUnavailableError(this.name, "the agent's answer is not JSON", { secretId: id });
    }
    const record: SecretRecord = { id, source: this.name };
    if (typeof answer.Name === "string") record.name = answer.Name;
    if (typeof answer.ARN === "string") record.arn = answer.ARN;
    if (typeof answer.VersionId === "string") record.versionId = answer.VersionId;
    if (Array.isArray(answer.VersionStages))
      record.versionStages = answer.VersionStages.filter((s) => typeof s === "string");
    if (typeof answer.CreatedDate === "number") record.createdDate = new Date(answer.CreatedDate * 1000);
    if (typeof answer.SecretString === "string") record.string = answer.SecretString;
    else if (typeof answer.SecretBinary === "string")
      record.binary = new Uint8Array(Buffer.from(answer.SecretBinary, "base64"));
    else
      throw new BackendUnavailableError(this.name, "the agent's answer has no SecretString or SecretBinary", {
        secretId: id,
      });
    return record;
  }

  #tokenValue(): Promise<string | undefined> {
    this.#resolvedToken ??= readToken(this.#token).catch((error: unknown) => {
      this.#resolvedToken = undefined;
      throw error;
    });
    return this.#resolvedToken;
  }
}

async function readToken(token: string | undefined): Promise<string | undefined> {
  if (token === undefined || !token.startsWith("file://")) return token;
  const path = fileURLToPath(token);
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    throw new CofferClientError(`agent: cannot read the token file ${path}.`);
  }
}

function errorType(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { __type?: unknown };
    if (typeof parsed.__type !== "string") return undefined;
    // "com.amazonaws.secretsmanager#ResourceNotFoundException" and "ResourceNotFoundException" alike.
    return parsed.__type.slice(parsed.__type.lastIndexOf("#") + 1);
  } catch {
    return undefined;
  }
}
