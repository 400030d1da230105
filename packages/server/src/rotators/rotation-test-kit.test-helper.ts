import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { rotationPolicy } from "../domain/identity/rotation-credentials.js";
import type {
  RotationContext,
  RotationCredentials,
  RotationStep,
  RotationStepEvent,
} from "../domain/rotation/rotator.js";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { type ServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

/** `src/rotators/fixtures`, seen from the compiled test in `dist/rotators`. */
export const fixturesDir = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "src",
  "rotators",
  "fixtures",
);
export const steps: RotationStep[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

export function adminClient(url: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
}

export async function createSecret(
  client: SecretsManagerClient,
  name: string,
  value: string,
): Promise<string> {
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return created.ARN as string;
}

export async function stagesOf(client: SecretsManagerClient, arn: string): Promise<Record<string, string[]>> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  return described.VersionIdsToStages ?? {};
}

export async function currentValue(client: SecretsManagerClient, arn: string): Promise<string> {
  return (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString as string;
}

/**
 * What the issuer gives a rotation, made through the admin API on a server process (the issuer
 * itself lives inside the server): a user holding exactly the rotation policy, and session
 * credentials of it.
 */
export async function rotationCredentialsVia(
  server: ServerProcess,
  secretArn: string,
): Promise<RotationCredentials> {
  const name = `rotation-${randomUUID().slice(0, 8)}`;
  await createUserWithPolicy(server.url, name, JSON.parse(rotationPolicy(secretArn)));
  const { Credentials } = (await adminCall(server.url, "CreateSessionCredentials", { UserName: name })) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: number };
  };
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    expiresAt: new Date(Credentials.Expiration * 1000),
  };
}

export function contextFor(
  url: string,
  credentials: RotationCredentials,
  signal: AbortSignal = new AbortController().signal,
): RotationContext {
  return { endpoint: url, region: testRegion, credentials, signal };
}

export function stepEvent(step: RotationStep, secretArn: string, token: string): RotationStepEvent {
  return { Step: step, SecretId: secretArn, ClientRequestToken: token, RotationToken: randomUUID() };
}
