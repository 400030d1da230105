import type { SecretRecord } from "@coffer/client";

/** The GetSecretValue answer, as the AWS Secrets Manager Agent returns it. */
export interface GetSecretValueResponse {
  ARN?: string;
  Name: string;
  VersionId?: string;
  SecretString?: string;
  /** Base64, as on the AWS wire. */
  SecretBinary?: string;
  VersionStages?: string[];
  /** Seconds since the epoch, with millisecond precision. */
  CreatedDate?: number;
}

/**
 * Maps a client record to the wire shape, keys in AWS's order. Sources without ARNs or versions
 * (env, files, dotenv) leave those keys undefined, so JSON.stringify omits them; `Name` falls back
 * to the id asked for.
 */
export function toGetSecretValueResponse(record: SecretRecord): GetSecretValueResponse {
  return {
    ARN: record.arn,
    Name: record.name ?? record.id,
    VersionId: record.versionId,
    SecretString: record.string,
    SecretBinary:
      record.string === undefined && record.binary !== undefined
        ? Buffer.from(record.binary).toString("base64")
        : undefined,
    VersionStages: record.versionStages === undefined ? undefined : [...record.versionStages],
    CreatedDate: record.createdDate === undefined ? undefined : record.createdDate.getTime() / 1000,
  };
}
