import { callCoffer } from "../../api/index.js";

/** The activity API's shapes (coffer.GetActivity, ListIdleSecrets, GetClientMetrics). */
export interface ActivityBucket {
  Time: number;
  Requests: number;
  Errors: number;
  Denials: number;
  LatencyP50Ms: number | null;
  LatencyP95Ms: number | null;
}

export interface Activity {
  Buckets: ActivityBucket[];
  TopCallers: { Caller: string; Requests: number; Reads: number }[];
  TopSecrets: { SecretId: string; Name: string; Reads: number }[];
  TotalRequests: number;
  Truncated: boolean;
}

export interface IdleSecret {
  ARN: string;
  Name: string;
  LastAccessedDate?: number;
  CreatedDate: number;
}

export interface ClientReport {
  ClientId: string;
  Kind: "client" | "agent" | string;
  Caller: string;
  ColdStarts: number;
  CacheHits: number;
  CacheMisses: number;
  LastReportTime: number;
}

export function getActivity(
  input: { StartTime: number; EndTime: number; SecretId?: string; Caller?: string },
  signal?: AbortSignal,
): Promise<Activity> {
  return callCoffer<Activity>("GetActivity", input, { signal });
}

export function listIdleSecrets(
  input: { Days: number; MaxResults?: number; NextToken?: string },
  signal?: AbortSignal,
): Promise<{ Secrets: IdleSecret[]; NextToken?: string }> {
  return callCoffer("ListIdleSecrets", input, { signal });
}

export function getClientMetrics(
  input: { StartTime: number; EndTime: number },
  signal?: AbortSignal,
): Promise<{ Clients: ClientReport[] }> {
  return callCoffer("GetClientMetrics", input, { signal });
}

/** A server without the activity API answers its operations with this error. */
export function isUnknownOperation(error: unknown): boolean {
  return error instanceof Error && error.name === "UnknownOperationException";
}
