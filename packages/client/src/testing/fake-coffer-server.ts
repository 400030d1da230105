import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { arnOf } from "./fake-sdk.js";
import { listen, readBody } from "./http-servers.js";

/**
 * A small stand-in for a Coffer server, for change-feed tests until the real `GET /changes`
 * exists: answers GetSecretValue / BatchGetSecretValue in AWS JSON 1.1 (no signature check —
 * the real server's tests cover that) and serves the change feed as Server-Sent Events in the
 * wire format of docs/design/client-api.md. Records every /changes request's headers.
 */
export async function startFakeCoffer(
  options: { changes?: "sse" | "unknown-operation"; rejectResume?: boolean } = {},
) {
  const secrets = new Map<string, { value: string; versionId: string }>();
  const counts = new Map<string, number>();
  const streams = new Set<ServerResponse>();
  const changeRequests: IncomingHttpHeaders[] = [];
  let version = 0;
  let eventId = 0;

  const server = await listen((request, response) => {
    if (request.method === "GET" && request.url?.startsWith("/changes")) {
      changeRequests.push(request.headers);
      counts.set("changes", (counts.get("changes") ?? 0) + 1);
      if (options.changes === "unknown-operation") {
        response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify({ __type: "UnknownOperationException", message: "no /changes here" }));
        return;
      }
      if (options.rejectResume === true && request.headers["last-event-id"] !== undefined) {
        response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify({ __type: "ValidationException", message: "unknown event id" }));
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      response.write(": connected\n\n");
      streams.add(response);
      response.on("close", () => streams.delete(response));
      return;
    }
    void readBody(request).then((body) => {
      const operation = String(request.headers["x-amz-target"] ?? "").replace(/^secretsmanager\./, "");
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const input = JSON.parse(body || "{}") as { SecretId?: string; SecretIdList?: string[] };
      const reply = (status: number, answer: unknown) => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify(answer));
      };
      const find = (id: string) => [...secrets].find(([name]) => id === name || id === arnOf(name));
      const wire = ([name, secret]: [string, { value: string; versionId: string }]) => ({
        ARN: arnOf(name),
        Name: name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: 1_700_000_000,
      });
      if (operation === "GetSecretValue") {
        const found = find(input.SecretId ?? "");
        if (found === undefined)
          return reply(400, { __type: "ResourceNotFoundException", message: "not found" });
        return reply(200, wire(found));
      }
      if (operation === "BatchGetSecretValue") {
        const values = [];
        const errors = [];
        for (const id of input.SecretIdList ?? []) {
          const found = find(id);
          if (found === undefined)
            errors.push({ SecretId: id, ErrorCode: "ResourceNotFoundException", Message: "x" });
          else values.push(wire(found));
        }
        return reply(200, { SecretValues: values, Errors: errors });
      }
      reply(400, { __type: "UnknownOperationException", message: operation });
    });
  });

  return {
    url: server.url,
    close: server.close,
    changeRequests,
    count: (operation: string) => counts.get(operation) ?? 0,
    openStreams: () => streams.size,
    /** Stores a new version; returns its id. */
    put(name: string, value: string): string {
      version += 1;
      const versionId = `v${version}`;
      secrets.set(name, { value, versionId });
      return versionId;
    },
    /** Sends one event to every open stream; returns its id. */
    emit(event: string, data: unknown, options: { id?: number } = {}): number {
      eventId = options.id ?? eventId + 1;
      for (const stream of streams)
        stream.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      return eventId;
    },
    /** The change event for a secret, as the server would send it. */
    changed(name: string, operation = "PutSecretValue") {
      return {
        ARN: arnOf(name),
        Name: name,
        Region: "us-east-1",
        VersionId: secrets.get(name)?.versionId,
        Operation: operation,
        EventTime: Date.now() / 1000,
      };
    },
    /** Ends every open stream, as a server restart would. */
    dropStreams(): void {
      for (const stream of streams) stream.destroy();
      streams.clear();
    },
  };
}
