/**
 * The request pipeline: every call of every API, whatever transport carried it, goes through the
 * same phases, each a module of its own (docs/ARCHITECTURE.md, "One request"):
 *
 *   1. frame        `frame.ts`         POST /, content type (the protocol), X-Amz-Target → API and operation
 *   2. read         the transport      the body, bounded (413), cut short (RequestAbortedException)
 *                   `frame-query.ts`   Query (STS): the form's Action and Version → the operation
 *      catch up     Stores.catchUp     several nodes: other nodes' earlier commits reach the caches
 *   3. authenticate `authenticate.ts`  SigV4 (scoped to the API's signing name) and the key's state;
 *                                      skipped for an operation the model marks unsigned
 *   4. parse        `parse-input.ts`   JSON object or Query form, validated against the operation's model
 *   5. authorize    `authorize.ts`     the operation's action on its fixed resource (per-secret: domain)
 *   6. execute      `execute.ts`       the change's intent audited first (ADR 0005), then the handler
 *   7. audit        the RequestAudit   every outcome, allowed or not, durably recorded …
 *   8. reply        `reply.ts`         … before it is answered; 503 if it cannot be recorded
 *
 * A failure in any phase skips to 7 with the error. Only an unexpected fault becomes a 500. Answers
 * and errors are written in the protocol of the API the call was framed for (AWS JSON 1.1, or the
 * Query protocol's XML); AWS JSON until that is known.
 */
import { randomUUID } from "node:crypto";
import { AuditWriteError, OutcomeUnrecorded } from "../audit/audit-write-error.js";
import type { AccessKeyRegistry } from "../auth/access-keys.js";
import type { SigV4Verifier } from "../auth/sigv4/index.js";
import type { Authorizer } from "../domain/access/authorizer.js";
import type { RequestScope } from "../domain/secrets/deps.js";
import { CofferError, InternalServiceError } from "../errors/catalog.js";
import { type Logger, stackFramesOf } from "../log/logger.js";
import type { RequestMetrics } from "../metrics/request-metrics.js";
import type { ApiDescriptor, OperationContext, OperationServices } from "../operations/operation.js";
import { readyJsonOf } from "../operations/wire.js";
import { type AuthenticatedCaller, createAuthenticate } from "./authenticate.js";
import { authorize } from "./authorize.js";
import { execute } from "./execute.js";
import { type FramedCall, frame } from "./frame.js";
import { frameQuery } from "./frame-query.js";
import { parseInput } from "./parse-input.js";
import { auditFailureReply, errorReply, okReply, wireErrorOf, wireErrorReply, xmlReply } from "./reply.js";
import type { RequestAudit, RequestRecord } from "./request-record.js";
import { headerOf, type Reply, type TransportCall } from "./transport-call.js";

export interface PipelineDeps {
  apis: readonly ApiDescriptor[];
  services: OperationServices;
  verifier: SigV4Verifier;
  accessKeys: AccessKeyRegistry;
  authorizer: Authorizer;
  audit: RequestAudit;
  logger: Logger;
  maxBodyBytes: number;
  now: () => number;
  /**
   * Several nodes on one store: waits until what other nodes committed before this request arrived
   * has reached this node's caches (Stores.catchUp), so the request sees it. Absent on one node.
   */
  catchUp?: (() => Promise<void>) | undefined;
  /** Told of every answered request (Prometheus metrics, docs/metrics.md); absent when metrics are off. */
  metrics?: RequestMetrics | undefined;
}

/** A stream's admission: throws a CofferError to refuse; returns what opens it once audited. */
export type AdmitStream = (caller: AuthenticatedCaller) => (requestId: string) => void;

export interface RequestPipeline {
  /** Runs one call through every phase. Never rejects: every failure is a reply. */
  handle(call: TransportCall): Promise<Reply>;
  /**
   * A streaming operation (the change feed): read, authenticate, admit, audit, then `open`.
   * Resolves `undefined` once the stream is open, or the failure's reply.
   */
  stream(
    call: TransportCall,
    operation: string,
    maxBodyBytes: number,
    admit: AdmitStream,
  ): Promise<Reply | undefined>;
}

/** The caller of an unsigned operation until it proves who it is: nobody. */
const anonymous = { principal: "", accessKeyId: "", session: undefined } as const;

export function createRequestPipeline(deps: PipelineDeps): RequestPipeline {
  const authenticate = createAuthenticate(deps);
  // The API a record names, for the protocol its answer and errors are written in.
  const apiNamed = new Map(deps.apis.map((api) => [api.name, api]));

  function newRecord(call: TransportCall): RequestRecord {
    return {
      operation: undefined,
      api: "secretsmanager",
      region: undefined,
      caller: undefined,
      claimedAccessKeyId: undefined,
      sourceIp: call.sourceIp,
      userAgent: headerOf(call, "user-agent"),
      requestId: randomUUID(),
      time: deps.now(),
      startedAt: performance.now(),
      input: undefined,
      output: undefined,
      error: undefined,
    };
  }

  async function run(call: TransportCall, record: RequestRecord): Promise<object> {
    let framing: ReturnType<typeof frame>;
    try {
      framing = frame(call, deps.apis);
    } catch (error) {
      await call.discardBody();
      throw error;
    }
    record.api = framing.api.name;
    if (framing.operation !== undefined) record.operation = framing.operation.name;
    const body = await call.readBody(deps.maxBodyBytes);
    let framed: FramedCall;
    if (framing.operation === undefined) {
      // A Query call names its operation in the body.
      framed = frameQuery(framing, body);
      record.operation = framed.operation.name;
    } else {
      framed = framing;
    }
    if (deps.catchUp) await deps.catchUp();
    const { operation } = framed;
    let scope: RequestScope;
    let context: OperationContext;
    let input: Record<string, unknown>;
    if (operation.signed) {
      const authenticated = authenticate(call, body, record, framed.api.signingName);
      const caller = authenticated instanceof Promise ? await authenticated : authenticated;
      input = parseInput(framed, body, record);
      // Built field by field, the same fields every time (no spread): this runs on every request.
      scope = {
        region: caller.region,
        caller: {
          principal: caller.principal,
          accessKeyId: caller.accessKeyId,
          sourceIp: record.sourceIp,
          session: caller.session,
        },
      };
      context = {
        scope,
        requestId: record.requestId,
        caller: { accessKeyId: caller.accessKeyId, principal: caller.principal, session: caller.session },
        sourceIp: record.sourceIp,
      };
    } else {
      input = parseInput(framed, body, record);
      // Nobody is signed in; nothing regional runs on an unsigned call (its audit event takes the
      // server's default region). The operation names its caller once it has proved who it is.
      scope = { region: "", caller: { ...anonymous, sourceIp: record.sourceIp } };
      context = {
        scope,
        requestId: record.requestId,
        caller: anonymous,
        sourceIp: record.sourceIp,
        noteWebIdentity: (who) => {
          record.webIdentity = who;
        },
      };
    }
    const authorized = authorize(deps.authorizer, operation, input, scope);
    if (authorized !== undefined) await authorized;
    return execute(framed, input, context, deps.services, deps.audit, record);
  }

  async function answer(record: RequestRecord, result: object): Promise<Reply> {
    const api = apiNamed.get(record.api);
    let xml: Reply | undefined;
    if (api?.protocol === "awsQuery") {
      // Written before the outcome is recorded: an answer that cannot be written is recorded as the failure.
      try {
        xml = xmlReply(api, record.operation ?? "", record.requestId, result);
      } catch (error) {
        return fail(error, record);
      }
    }
    record.output = result;
    try {
      await deps.audit(record);
    } catch (auditError) {
      return refuse(record.intended ? new OutcomeUnrecorded(auditError) : auditError, record);
    }
    // A warm read's answer was serialized once, when the read model took it in (docs/adr/0008).
    return xml ?? okReply(record.requestId, readyJsonOf(result) ?? JSON.stringify(result));
  }

  async function fail(error: unknown, record: RequestRecord): Promise<Reply> {
    if (error instanceof AuditWriteError || error instanceof OutcomeUnrecorded) {
      // The trail is failing: one line says so (the log's own outage report says since when);
      // trying to record this refusal would fail the same way.
      return refuse(error, record);
    }
    const wire = wireErrorOf(error, record.requestId, apiNamed.get(record.api));
    const reply = wireErrorReply(wire, record.requestId);
    logFailure(error, wire.awsName, record.requestId);
    // The audit trail names the error as the client was told it (STS's ValidationError, say).
    record.error = { awsName: wire.awsName, message: wire.message };
    try {
      await deps.audit(record);
    } catch (auditError) {
      const refused = refuse(auditError, record);
      // The request itself failed on a known server fault (a storage engine's InternalServiceError:
      // its database unreachable, say; not an unexpected error, which may be the trail's own) and its event
      // cannot be written either — on PostgreSQL the trail lives in that same database. The client
      // gets the request's own retryable InternalServiceError; nothing succeeded unrecorded.
      return error instanceof InternalServiceError ? reply : refused;
    }
    return reply;
  }

  function refuse(error: unknown, record: RequestRecord): Reply {
    const { requestId } = record;
    const changed = error instanceof OutcomeUnrecorded;
    const cause = changed ? error.cause : error;
    deps.logger.error("request refused: the audit trail cannot be written", {
      requestId,
      changed,
      cause:
        cause instanceof Error
          ? ((cause.cause as { code?: string } | undefined)?.code ?? cause.name)
          : "unknown",
    });
    return auditFailureReply(changed, requestId, apiNamed.get(record.api));
  }

  function logFailure(error: unknown, awsName: string, requestId: string) {
    if (!(error instanceof CofferError)) {
      deps.logger.error("unexpected error", {
        requestId,
        error: error instanceof Error ? error.name : typeof error,
        stack: stackFramesOf(error),
      });
    } else if (error.fault === "server") {
      deps.logger.error("server fault", { requestId, error: awsName, cause: causeName(error) });
    }
  }

  /** The last line of defence: whatever escaped the phases above is logged and answered as a 500. */
  function unexpected(error: unknown, record: RequestRecord): Reply {
    logFailure(error, "InternalServiceError", record.requestId);
    return errorReply(error, record.requestId, apiNamed.get(record.api));
  }

  function logDone(call: TransportCall, reply: Reply, started: number) {
    if (!deps.logger.enabled("debug")) return;
    deps.logger.debug("request", {
      requestId: reply.requestId,
      target: call.headers["x-amz-target"],
      status: reply.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  }

  function measure(record: RequestRecord, reply: Reply | undefined, started: number) {
    try {
      deps.metrics?.requestDone(
        record.operation,
        record.api,
        reply?.status ?? 200,
        reply?.errorType,
        (performance.now() - started) / 1000,
      );
    } catch {
      // Metrics never fail a request that was answered.
    }
  }

  return {
    async handle(call) {
      const started = performance.now();
      const record = newRecord(call);
      let reply: Reply;
      try {
        let result: object;
        try {
          result = await run(call, record);
        } catch (error) {
          reply = await fail(error, record);
          logDone(call, reply, started);
          measure(record, reply, started);
          return reply;
        }
        reply = await answer(record, result);
      } catch (error) {
        reply = unexpected(error, record);
      }
      logDone(call, reply, started);
      measure(record, reply, started);
      return reply;
    },

    async stream(call, operation, maxBodyBytes, admit) {
      const started = performance.now();
      const record = newRecord(call);
      record.operation = operation;
      let reply: Reply | undefined;
      try {
        try {
          const body = await call.readBody(maxBodyBytes);
          if (deps.catchUp) await deps.catchUp();
          const authenticated = authenticate(call, body, record);
          const caller = authenticated instanceof Promise ? await authenticated : authenticated;
          const open = admit(caller);
          // Recorded before the first byte of the stream: no disclosure goes unaudited.
          await deps.audit(record);
          open(record.requestId);
        } catch (error) {
          reply = await fail(error, record);
        }
      } catch (error) {
        reply = unexpected(error, record);
      }
      measure(record, reply, started);
      return reply;
    },
  };
}

function causeName(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.name : undefined;
}
