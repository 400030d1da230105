import { listen } from "./http-servers.js";

export interface AgentSecret {
  name: string;
  string?: string;
  binary?: Uint8Array;
  versionId?: string;
}

/**
 * A tiny server implementing the AWS Secrets Manager Agent protocol from the design contract
 * (the real `coffer agent` comes from packages/agent): token header required, X-Forwarded-For
 * refused, `GET /secretsmanager/get?secretId=…[&versionId|&versionStage]`, `GET /ping`.
 */
export async function startAgentServer(token: string, secrets: AgentSecret[]) {
  const requests: Array<{ url: string; token: string | undefined }> = [];
  const server = await listen((request, response) => {
    const url = new URL(request.url ?? "/", "http://agent");
    const given = request.headers["x-aws-parameters-secrets-token"];
    requests.push({ url: request.url ?? "", token: typeof given === "string" ? given : undefined });
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/ping") {
      response.end("healthy");
      return;
    }
    if (request.headers["x-forwarded-for"] !== undefined) return json(400, { __type: "ForbiddenForwarded" });
    if (given === undefined) return json(401, { __type: "UnauthorizedException", message: "missing token" });
    if (given !== token) return json(403, { __type: "AccessDeniedException", message: "bad token" });
    if (url.pathname !== "/secretsmanager/get") return json(404, { __type: "NotFound" });
    const id = url.searchParams.get("secretId");
    const secret = secrets.find((candidate) => candidate.name === id);
    const versionId = url.searchParams.get("versionId");
    if (secret === undefined || (versionId !== null && versionId !== (secret.versionId ?? "v1"))) {
      return json(400, {
        __type: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    json(200, {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secret.name}-AbCdEf`,
      Name: secret.name,
      VersionId: secret.versionId ?? "v1",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_700_000_000.5,
      ...(secret.string !== undefined
        ? { SecretString: secret.string }
        : { SecretBinary: Buffer.from(secret.binary ?? new Uint8Array()).toString("base64") }),
    });
  });
  return { ...server, requests };
}
