import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { testAdmin, testRegion } from "./server-process.js";

export class AdminCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(`${type}: ${message}`);
    this.name = type;
  }
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** SigV4 headers for `POST /` of an AWS JSON 1.1 call, signed as the SDKs sign it. */
export async function signJsonCall(
  url: string,
  target: string,
  body: string | Buffer,
  credentials: Credentials = testAdmin,
  options: { signingDate?: Date } = {},
): Promise<Record<string, string>> {
  const { host, hostname, port } = new URL(url);
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: testRegion,
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname,
      port: Number(port),
      path: "/",
      headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return signed.headers;
}

/** Calls Coffer's admin API (`coffer.<Operation>`) signed with the given credentials (default: the test admin). */
export async function adminCall(
  url: string,
  operation: string,
  input: object,
  credentials: Credentials = testAdmin,
  target = `coffer.${operation}`,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(input);
  const signed = { headers: await signJsonCall(url, target, body, credentials) };
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  const text = await response.text();
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (!response.ok) throw new AdminCallError(String(parsed.__type), String(parsed.message), response.status);
  return parsed;
}

/** A user with one inline policy and an access key, ready for SDK clients. */
export async function createUserWithPolicy(url: string, name: string, policy: object | undefined) {
  await adminCall(url, "CreateUser", { UserName: name });
  if (policy !== undefined) {
    await adminCall(url, "PutUserPolicy", {
      UserName: name,
      PolicyName: "inline",
      PolicyDocument: JSON.stringify(policy),
    });
  }
  const { AccessKey } = (await adminCall(url, "CreateAccessKey", { UserName: name })) as {
    AccessKey: { AccessKeyId: string; SecretAccessKey: string };
  };
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}
