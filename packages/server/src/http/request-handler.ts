import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../app/logger.js";
import { stackFramesOf } from "../app/logger.js";
import type { AccessKeyRegistry } from "../auth/access-keys.js";
import {
  CofferError,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnknownOperationException,
  UnrecognizedClientException,
  UnsupportedMediaTypeException,
} from "../domain/errors.js";
import type { Operation, OperationContext, OperationServices } from "../operations/operation.js";
import { parseJsonObject } from "./parse-json.js";
import { readBody } from "./read-body.js";
import type { createSigV4Verifier } from "./sigv4/index.js";
import { toWireError } from "./wire-error.js";

export interface RequestHandlerDeps {
  operations: Readonly<Record<string, Operation>>;
  services: OperationServices;
  validate: (operation: string, input: unknown) => void;
  verifier: ReturnType<typeof createSigV4Verifier>;
  accessKeys: AccessKeyRegistry;
  logger: Logger;
  maxBodyBytes: number;
}

const targetPrefix = "secretsmanager.";
const jsonContentTypes = new Set(["application/x-amz-json-1.1", "application/x-amz-json-1.0"]);
const credentialPattern = /Credential=([^/,\s]+)\//;

/**
 * The AWS JSON 1.1 data plane: `POST /` with `X-Amz-Target`. Order of checks: framing (path,
 * content type, target, size), then SigV4, then JSON and model validation, then the operation.
 * Every outcome is answered; only an unexpected fault becomes a 500.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const requestId = randomUUID();
    const started = performance.now();
    handle(request, requestId)
      .then((result) => send(response, 200, requestId, JSON.stringify(result)))
      .catch((error: unknown) => {
        const wire = toWireError(error, requestId);
        if (!(error instanceof CofferError)) {
          deps.logger.error("unexpected error", {
            requestId,
            error: error instanceof Error ? error.name : typeof error,
            stack: stackFramesOf(error),
          });
        } else if (error.fault === "server") {
          deps.logger.error("server fault", { requestId, error: wire.awsName, cause: causeName(error) });
        }
        send(response, wire.status, requestId, wire.body, wire.awsName);
      })
      .finally(() => {
        deps.logger.debug("request", {
          requestId,
          target: request.headers["x-amz-target"],
          status: response.statusCode,
          ms: Math.round((performance.now() - started) * 100) / 100,
        });
      });
  };

  async function handle(request: IncomingMessage, requestId: string): Promise<object> {
    const url = request.url ?? "/";
    if (request.method === "GET" && (url === "/health" || url === "/ping")) {
      await drain(request);
      return { status: "ok" };
    }
    if (request.method !== "POST" || (url !== "/" && !url.startsWith("/?"))) {
      await drain(request);
      throw new UnknownOperationException(
        `Coffer answers AWS Secrets Manager requests at POST / (got ${request.method} ${truncate(url)}).`,
      );
    }
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!jsonContentTypes.has(contentType)) {
      await drain(request);
      throw new UnsupportedMediaTypeException(
        `Content-Type must be application/x-amz-json-1.1 (got '${truncate(contentType)}').`,
      );
    }
    const target = request.headers["x-amz-target"];
    const operationName =
      typeof target === "string" && target.startsWith(targetPrefix)
        ? target.slice(targetPrefix.length)
        : undefined;
    const operation = operationName !== undefined ? deps.operations[operationName] : undefined;
    if (operationName === undefined || operation === undefined) {
      await drain(request);
      throw new UnknownOperationException(
        typeof target === "string"
          ? `Unknown operation '${truncate(target)}'; X-Amz-Target must be secretsmanager.<Operation>.`
          : "Missing X-Amz-Target header; it must name the operation, e.g. secretsmanager.GetSecretValue.",
      );
    }
    const body = await readBody(request, deps.maxBodyBytes);
    const caller = await authenticate(request, body);
    const input = parseJsonObject(body);
    deps.validate(operationName, input);
    const context: OperationContext = {
      scope: { region: caller.region },
      requestId,
      caller: { accessKeyId: caller.accessKeyId, principal: caller.principal },
      sourceIp: request.socket.remoteAddress ?? "",
    };
    return operation(input, context, deps.services);
  }

  async function authenticate(request: IncomingMessage, body: Buffer) {
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      throw new MissingAuthenticationTokenException("Missing Authentication Token");
    }
    const accessKeyId = credentialPattern.exec(authorization)?.[1];
    const key = accessKeyId !== undefined ? await deps.accessKeys.lookup(accessKeyId) : undefined;
    const verified = deps.verifier.verify(
      { method: request.method ?? "POST", rawUrl: request.url ?? "/", headers: request.headers, body },
      { secretFor: (id) => (id === accessKeyId ? key?.secret : undefined) },
    );
    if (!key) throw new UnrecognizedClientException("The security token included in the request is invalid.");
    if (verified.accessKeyId !== accessKeyId) throw new InvalidSignatureException("Credential mismatch.");
    return { ...verified, principal: key.principal };
  }
}

function send(response: ServerResponse, status: number, requestId: string, body: string, errorType?: string) {
  if (response.headersSent) return;
  const headers: Record<string, string | number> = {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  };
  if (errorType !== undefined) headers["x-amzn-errortype"] = errorType;
  response.writeHead(status, headers);
  response.end(body);
}

/** Discards a body we will not read, so keep-alive connections stay usable. */
function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (request.readableEnded) return resolve();
    request.on("end", resolve);
    request.on("error", () => resolve());
    request.resume();
  });
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function causeName(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.name : undefined;
}
