import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";

/** An error shaped like the SDK's service and network errors. */
export function sdkError(
  name: string,
  options: { status?: number; code?: string; message?: string } = {},
): Error {
  const error = new Error(options.message ?? `${name} (fake)`) as Error & {
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  error.name = name;
  if (options.status !== undefined) error.$metadata = { httpStatusCode: options.status };
  if (options.code !== undefined) error.code = options.code;
  return error;
}

/**
 * A stand-in for `SecretsManagerClient`, injected through the `client` option: answers
 * GetSecretValue and BatchGetSecretValue from a map and records every command. No monkey-patching.
 */
export class FakeSdk {
  readonly secrets = new Map<string, { string?: string; binary?: Uint8Array; versionId: string }>();
  readonly sent: Array<{ command: string; input: unknown }> = [];
  /** Thrown by every GetSecretValue when set. */
  failGet: Error | undefined;
  /** Thrown by every BatchGetSecretValue when set. */
  failBatch: Error | undefined;
  /** Ids the batch answers with this per-item error code instead of a value. */
  readonly batchItemErrors = new Map<string, string>();

  put(name: string, value: string | Uint8Array, versionId = "v1"): void {
    this.secrets.set(
      name,
      typeof value === "string" ? { string: value, versionId } : { binary: value, versionId },
    );
  }

  asClient(): SecretsManagerClient {
    return this as unknown as SecretsManagerClient;
  }

  count(command: string): number {
    return this.sent.filter((sent) => sent.command === command).length;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetSecretValueCommand) {
      this.sent.push({ command: "GetSecretValue", input: command.input });
      if (this.failGet !== undefined) throw this.failGet;
      const id = command.input.SecretId ?? "";
      const found = this.#find(id);
      if (found === undefined) throw sdkError("ResourceNotFoundException", { status: 400 });
      return {
        ...this.#output(found.name, found.secret),
        $metadata: {},
      } satisfies GetSecretValueCommandOutput;
    }
    if (command instanceof BatchGetSecretValueCommand) {
      this.sent.push({ command: "BatchGetSecretValue", input: command.input });
      if (this.failBatch !== undefined) throw this.failBatch;
      const output: BatchGetSecretValueCommandOutput = { SecretValues: [], Errors: [], $metadata: {} };
      for (const id of command.input.SecretIdList ?? []) {
        const itemError = this.batchItemErrors.get(id);
        const found = this.#find(id);
        if (itemError !== undefined)
          output.Errors?.push({ SecretId: id, ErrorCode: itemError, Message: "fake" });
        else if (found === undefined) {
          output.Errors?.push({ SecretId: id, ErrorCode: "ResourceNotFoundException", Message: "not found" });
        } else output.SecretValues?.push(this.#output(found.name, found.secret));
      }
      return output;
    }
    throw new Error("FakeSdk: unexpected command");
  }

  #find(id: string) {
    for (const [name, secret] of this.secrets) {
      if (id === name || id === arnOf(name)) return { name, secret };
    }
    return undefined;
  }

  #output(name: string, secret: { string?: string; binary?: Uint8Array; versionId: string }) {
    return {
      ARN: arnOf(name),
      Name: name,
      VersionId: secret.versionId,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: new Date(1_700_000_000_000),
      ...(secret.string !== undefined ? { SecretString: secret.string } : { SecretBinary: secret.binary }),
    };
  }
}

export function arnOf(name: string): string {
  return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
}
