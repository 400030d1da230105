/** The parts of Secrets Manager's answers the pages use (epoch-second dates, as on the wire). */
export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretListEntry {
  ARN: string;
  Name: string;
  Description?: string;
  LastChangedDate?: number;
  LastAccessedDate?: number;
  CreatedDate?: number;
  DeletedDate?: number;
  RotationEnabled?: boolean;
  Tags?: Tag[];
}

export interface SecretDescription extends SecretListEntry {
  KmsKeyId?: string;
  RotationLambdaARN?: string;
  RotationRules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
  LastRotatedDate?: number;
  NextRotationDate?: number;
  VersionIdsToStages?: Record<string, string[]>;
  PrimaryRegion?: string;
}

export interface SecretVersion {
  VersionId: string;
  VersionStages?: string[];
  CreatedDate?: number;
  LastAccessedDate?: number;
}
