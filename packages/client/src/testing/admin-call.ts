import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

type Credentials = { accessKeyId: string; secretAccessKey: string };

/** SHA-256 (or its HMAC) as the signer wants it, from node:crypto. */
export class Sha256 {
  #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Calls Coffer's admin API (`coffer.<Operation>`), SigV4-signed; throws the AWS error type on a failure. */
export async function adminCall(
  url: string,
  region: string,
  credentials: Credentials,
  operation: string,
  input: object,
): Promise<Record<string, unknown>> {
  const { host, hostname, port, protocol } = new URL(url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service: "secretsmanager", region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol,
    hostname,
    port: port === "" ? undefined : Number(port),
    path: "/",
    headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": `coffer.${operation}` },
    body,
  });
  const response = await fetch(url, { method: "POST", headers: signed.headers, body });
  const parsed = JSON.parse(await response.text()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${String(parsed.__type)}: ${String(parsed.message)}`);
  return parsed;
}

/** A user with one inline policy (none when undefined) and an access key. */
export async function createUser(
  url: string,
  region: string,
  admin: Credentials,
  name: string,
  policy: object | undefined,
): Promise<Credentials> {
  await adminCall(url, region, admin, "CreateUser", { UserName: name });
  if (policy !== undefined) {
    await adminCall(url, region, admin, "PutUserPolicy", {
      UserName: name,
      PolicyName: "inline",
      PolicyDocument: JSON.stringify(policy),
    });
  }
  const { AccessKey } = (await adminCall(url, region, admin, "CreateAccessKey", { UserName: name })) as {
    AccessKey: { AccessKeyId: string; SecretAccessKey: string };
  };
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}
