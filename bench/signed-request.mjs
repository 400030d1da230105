// Signs one AWS JSON 1.1 request with the AWS SDK's own signer, to be replayed by the load generator
// (valid for the server's ±5 minute clock-skew window).
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

export async function signedGetSecretValue(url, credentials, operation, input) {
  const { host } = new URL(url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: "us-east-1",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: host,
    path: "/",
    headers: {
      host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `secretsmanager.${operation}`,
    },
    body,
  });
  return { headers: signed.headers, body };
}
