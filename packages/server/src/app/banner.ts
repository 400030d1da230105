import type { AccessKey } from "../domain/identity/access-key-material.js";

interface BannerInput {
  url: string;
  home: string;
  region: string;
}

/** Printed once, on the first start: the only time the generated admin secret is shown. */
export function firstStartBanner({ url, home, region, key }: BannerInput & { key: AccessKey }): string {
  return `Coffer is listening on ${url} (data folder: ${home})

Created a master key and an admin access key. The secret key is shown only this once: save it now.

  export AWS_ACCESS_KEY_ID=${key.accessKeyId}
  export AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}
  export AWS_REGION=${region} AWS_DEFAULT_REGION=${region}
  export AWS_ENDPOINT_URL_SECRETS_MANAGER=${url}

Then, with the aws CLI:
  aws --endpoint-url ${url} secretsmanager create-secret --name demo --secret-string '{"apiKey":"..."}'
  aws --endpoint-url ${url} secretsmanager list-secrets

SDKs (boto3, @aws-sdk/*, Go, Java, ...) read the same variables; coffer get/put/list do too.
`;
}

export function startBanner({
  url,
  home,
  region,
  configuredAdmin,
}: BannerInput & { configuredAdmin: boolean }): string {
  const keys = configuredAdmin
    ? "The admin access key comes from COFFER_ADMIN_ACCESS_KEY_ID / COFFER_ADMIN_SECRET_ACCESS_KEY."
    : "Using the admin access key created on the first start (its secret was printed then; if it is lost, stop the server and run `coffer admin recover` where the data folder is).";
  return `Coffer is listening on ${url} (data folder: ${home}, default region ${region})
${keys}
  aws --endpoint-url ${url} secretsmanager list-secrets
`;
}
