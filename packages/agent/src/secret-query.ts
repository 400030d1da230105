/** What a caller asked the agent for. */
export interface SecretQuery {
  secretId: string;
  versionId?: string;
  versionStage?: string;
  /** `refreshNow=true`: skip the cache (the AWS agent's parameter). */
  refreshNow: boolean;
}

export type QueryResult = { ok: true; query: SecretQuery } | { ok: false; message: string };

/** Path-style requests (`GET /v1/prod/db`), as the AWS Secrets Manager Agent's default path prefix. */
export const PATH_PREFIX = "/v1/";

const MAX_ID_LENGTH = 2048;

/** `GET /secretsmanager/get?secretId=…[&versionId=…][&versionStage=…][&refreshNow=true]`. */
export function parseQueryStyle(search: URLSearchParams): QueryResult {
  return parseParameters(search, undefined);
}

/** `GET /v1/<secretId>[?versionId=…][&versionStage=…][&refreshNow=true]`; `encodedId` is the path after the prefix. */
export function parsePathStyle(encodedId: string, search: URLSearchParams): QueryResult {
  let secretId: string;
  try {
    secretId = decodeURIComponent(encodedId);
  } catch {
    return { ok: false, message: "the secret id in the path is not valid percent-encoding" };
  }
  if (secretId === "") return { ok: false, message: "missing secret id after /v1/" };
  return parseParameters(search, secretId);
}

function parseParameters(search: URLSearchParams, pathId: string | undefined): QueryResult {
  const allowed =
    pathId === undefined
      ? ["secretId", "versionId", "versionStage", "refreshNow"]
      : ["versionId", "versionStage", "refreshNow"];
  const seen = new Set<string>();
  for (const name of search.keys()) {
    if (!allowed.includes(name)) return { ok: false, message: `unknown parameter: ${name}` };
    if (seen.has(name)) return { ok: false, message: `parameter ${name} given more than once` };
    seen.add(name);
  }
  const secretId = pathId ?? search.get("secretId") ?? "";
  if (secretId === "") return { ok: false, message: "missing parameter secretId" };
  if (secretId.length > MAX_ID_LENGTH) {
    return { ok: false, message: `secretId is longer than ${MAX_ID_LENGTH} characters` };
  }
  const versionId = search.get("versionId");
  const versionStage = search.get("versionStage");
  if (versionId === "") return { ok: false, message: "versionId is empty" };
  if (versionStage === "") return { ok: false, message: "versionStage is empty" };
  const refreshNow = parseRefreshNow(search.get("refreshNow"));
  if (refreshNow === undefined) return { ok: false, message: "refreshNow must be true, false, 1 or 0" };
  const query: SecretQuery = { secretId, refreshNow };
  if (versionId !== null) query.versionId = versionId;
  if (versionStage !== null) query.versionStage = versionStage;
  return { ok: true, query };
}

function parseRefreshNow(value: string | null): boolean | undefined {
  if (value === null) return false;
  switch (value.toLowerCase()) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return undefined;
  }
}
