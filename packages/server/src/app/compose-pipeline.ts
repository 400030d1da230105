import type { AuditReader } from "../audit/audit-reader.js";
import { createSigV4Verifier } from "../auth/sigv4/index.js";
import { AccessReview } from "../domain/access/access-review.js";
import type { RotationService } from "../domain/rotation/rotation-service.js";
import type { Logger } from "../log/logger.js";
import type { RequestMetrics } from "../metrics/request-metrics.js";
import { createAdminApi } from "../operations/admin/admin-api.js";
import type { ApiDescriptor } from "../operations/operation.js";
import { createSecretsManagerApi } from "../operations/secrets-manager-api.js";
import { createStsApi } from "../operations/sts/sts-api.js";
import { createRequestPipeline, type RequestPipeline } from "../pipeline/pipeline.js";
import type { RequestAudit } from "../pipeline/request-record.js";
import type { Coffer } from "./open-coffer.js";

/** Large enough for a 64 KiB binary value in base64 inside JSON, small enough to bound memory. */
export const maxBodyBytes = 256 * 1024;

/**
 * The request pipeline over an opened Coffer: its APIs (Secrets Manager, Coffer's admin API, STS),
 * their services, SigV4 and the audit trail.
 * The server puts node:http in front of it; `bench/pipeline-cost.mjs` calls it directly.
 */
export function composePipeline(
  coffer: Coffer,
  logger: Logger,
  options: {
    auditReader: AuditReader;
    audit?: RequestAudit | undefined;
    now?: () => number;
    rotation?: RotationService | undefined;
    /** Request metrics over the APIs served (their operations bound the labels); none by default. */
    metrics?: ((apis: readonly ApiDescriptor[]) => RequestMetrics) | undefined;
  },
): RequestPipeline {
  const now = options.now ?? Date.now;
  const apis = [createSecretsManagerApi(), createAdminApi(coffer.accountId), createStsApi()];
  return createRequestPipeline({
    apis,
    services: {
      reader: coffer.reader,
      writer: coffer.writer,
      identity: coffer.identity,
      roles: coffer.roles,
      oidcProviders: coffer.oidcProviders,
      sts: coffer.sts,
      review: new AccessReview({
        identity: coffer.stores.identity,
        authorizer: coffer.authorizer,
        queryAudit: (query) => coffer.auditLog.query(query),
        now,
      }),
      audit: options.auditReader,
      rotation: options.rotation,
    },
    // Each call is checked against its API's signing name (`sts` for STS); this is the default.
    verifier: createSigV4Verifier({ service: "secretsmanager" }),
    accessKeys: coffer.accessKeys,
    authorizer: coffer.authorizer,
    audit: options.audit ?? coffer.audit,
    logger,
    maxBodyBytes,
    now,
    catchUp: coffer.stores.catchUp?.bind(coffer.stores),
    metrics: options.metrics?.(apis),
  });
}
