import { typedOperation, type WireInput } from "./wire-types.js";

export const tagResource = typedOperation<WireInput<"TagResource">>(async (input, { scope }, { writer }) => {
  await writer.tag(scope, input.SecretId, input.Tags);
  return {};
});

export const untagResource = typedOperation<WireInput<"UntagResource">>(
  async (input, { scope }, { writer }) => {
    await writer.untag(scope, input.SecretId, input.TagKeys);
    return {};
  },
);
