import type { AuditLog } from "../audit/audit-log.js";
import { type AuditEventBuilder, createAuditEventBuilder } from "../audit/build-event.js";
import type { RequestAudit } from "../pipeline/request-record.js";
import { loadAdminModel, loadServiceModel } from "../protocol/model.js";

/**
 * Every request becomes one CloudTrail-format event, redacted by the model of the API it called,
 * appended (group-committed) before the request is answered.
 */
export function createRequestAudit(log: AuditLog, accountId: string, defaultRegion: string): RequestAudit {
  const builders: Record<string, AuditEventBuilder> = {
    secretsmanager: createAuditEventBuilder(loadServiceModel()),
    coffer: createAuditEventBuilder(loadAdminModel()),
  };
  return (record) => {
    const build = builders[record.api] ?? (builders.secretsmanager as AuditEventBuilder);
    return log.append(
      build({
        operation: record.operation ?? "Unknown",
        region: record.region ?? defaultRegion,
        accountId,
        caller: record.caller,
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
      }),
    );
  };
}
