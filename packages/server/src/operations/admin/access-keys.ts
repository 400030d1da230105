import { isTemporaryKey } from "../../domain/identity/access-key-material.js";
import { AccessDeniedException } from "../../errors/catalog.js";
import { compact, epochSeconds, optionalEpochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

export const createAccessKey = typedOperation<{ UserName: string; ExpiresInSeconds?: number }>(
  async (input, _context, { identity }) => {
    const key = await identity.createAccessKey(input.UserName, { expiresInSeconds: input.ExpiresInSeconds });
    return {
      AccessKey: compact({
        UserName: input.UserName,
        AccessKeyId: key.accessKeyId,
        SecretAccessKey: key.secretAccessKey,
        Status: "Active",
        CreateDate: epochSeconds(key.createdAt),
        Expiration: optionalEpochSeconds(key.expiresAt),
      }),
    };
  },
);

export const listAccessKeys = typedOperation<{ UserName: string }>(async (input, _context, { identity }) => {
  const keys = await identity.listAccessKeys(input.UserName);
  return {
    AccessKeyMetadata: keys.map((key) =>
      compact({
        UserName: input.UserName,
        AccessKeyId: key.accessKeyId,
        Status: key.status === "active" ? "Active" : "Inactive",
        CreateDate: epochSeconds(key.createdAt),
        Expiration: optionalEpochSeconds(key.expiresAt),
        LastUsedDate: optionalEpochSeconds(key.lastUsedAt),
        LastUsedSourceIp: key.lastUsedIp,
        Temporary: key.sessionTokenHash !== undefined,
      }),
    ),
  };
});

export const updateAccessKey = typedOperation<{
  AccessKeyId: string;
  Status: "Active" | "Inactive";
  Force?: boolean;
}>(async (input, { caller }, { identity }) => {
  await identity.setAccessKeyStatus(input.AccessKeyId, input.Status === "Active" ? "active" : "inactive", {
    caller,
    force: input.Force === true,
  });
  return {};
});

export const deleteAccessKey = typedOperation<{ AccessKeyId: string; Force?: boolean }>(
  async (input, { caller }, { identity }) => {
    await identity.deleteAccessKey(input.AccessKeyId, { caller, force: input.Force === true });
    return {};
  },
);

function credentialsToWire(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}) {
  return {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: epochSeconds(credentials.expiresAt),
    },
  };
}

/** Temporary credentials for the caller itself, as STS GetSessionToken. */
export const getSessionToken = typedOperation<{ DurationSeconds?: number }>(
  async (input, { caller }, { identity }) => {
    if (isTemporaryKey(caller.accessKeyId)) {
      throw new AccessDeniedException(
        "GetSessionToken can't be called with session credentials; use a long-term access key.",
      );
    }
    return credentialsToWire(
      await identity.createSessionCredentials(caller.principal, input.DurationSeconds),
    );
  },
);

/** Temporary credentials for another user: how an administrator hands a platform a self-expiring credential. */
export const createSessionCredentials = typedOperation<{ UserName: string; DurationSeconds?: number }>(
  async (input, _context, { identity }) => {
    const user = await identity.getUser(input.UserName);
    return credentialsToWire(await identity.createSessionCredentials(user.arn, input.DurationSeconds));
  },
);
