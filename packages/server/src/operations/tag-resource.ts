import type { RequestedTag } from "../domain/secrets/tags.js";
import type { Operation } from "./operation.js";

export const tagResource: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as { SecretId: string; Tags: RequestedTag[] };
  await writer.tag(scope, input.SecretId, input.Tags);
  return {};
};

export const untagResource: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as { SecretId: string; TagKeys: string[] };
  await writer.untag(scope, input.SecretId, input.TagKeys);
  return {};
};
