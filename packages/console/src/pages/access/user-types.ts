/** The admin API's user and access key shapes (ListUsers, GetUser, ListAccessKeys, CreateAccessKey). */

import type { Tag } from "./tags.js";

export interface User {
  UserName: string;
  Arn: string;
  CreateDate: number;
  Tags?: Tag[];
}

export interface AccessKeyMetadata {
  UserName: string;
  AccessKeyId: string;
  Status: "Active" | "Inactive";
  CreateDate: number;
  Expiration?: number;
  LastUsedDate?: number;
  LastUsedSourceIp?: string;
  Temporary?: boolean;
}

export interface NewAccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
  Expiration?: number;
}
