import { type AuditLineBuilder, createAuditLineBuilder } from "../audit/audit-line.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { RequestAudit } from "../pipeline/request-record.js";
import { loadAdminModel, loadServiceModel, loadStsModel } from "../protocol/model.js";

/**
 * Every request becomes one CloudTrail-format event, redacted by the model of the API it called,
 * appended (group-committed) before the request is answered. Each operation's audit line is
 * compiled once, here, from its model (audit/audit-line.ts): a request writes its line directly.
 */
export function createRequestAudit(log: AuditLog, accountId: string, defaultRegion: string): RequestAudit {
  const builders: Record<string, AuditLineBuilder> = {
    secretsmanager: createAuditLineBuilder(loadServiceModel()),
    coffer: createAuditLineBuilder(loadAdminModel()),
    // STS's events are STS's, as in CloudTrail; its model redacts WebIdentityToken.
    sts: createAuditLineBuilder(loadStsModel(), "sts.amazonaws.com"),
  };
  const fallback = builders.secretsmanager as AuditLineBuilder;
  return (record) => {
    const build = builders[record.api] ?? fallback;
    return log.appendLine(
      build({
        operation: record.operation ?? "Unknown",
        region: record.region ?? defaultRegion,
        accountId,
        caller: record.caller,
        webIdentity: record.webIdentity,
        attemptedAccessKeyId: record.claimedAccessKeyId,
        sourceIp: record.sourceIp,
        userAgent: record.userAgent,
        request: record.input ?? {},
        result: record.intent
          ? { intent: true }
          : record.error
            ? { error: record.error }
            : { response: record.output },
        requestId: record.requestId,
        time: record.time,
        durationMs:
          record.intent || record.startedAt === undefined ? undefined : durationSince(record.startedAt),
      }),
    );
  };
}

/** Milliseconds since `startedAt` (a `performance.now()`), to the microsecond. */
function durationSince(startedAt: number): number {
  return Math.max(0, Math.round((performance.now() - startedAt) * 1000) / 1000);
}
