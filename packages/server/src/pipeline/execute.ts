import { randomUUID } from "node:crypto";
import type { OperationContext, OperationServices } from "../operations/operation.js";
import type { FramedCall } from "./frame.js";
import type { RequestAudit, RequestRecord } from "./request-record.js";

/**
 * Phase 6, execute. A change is audited ahead (docs/adr/0005): the server fills in an idempotency
 * token the client left out (as every AWS SDK does, so the intent names the version the change will
 * create), records the intent, and only then runs the handler. A read runs at once.
 */
export async function execute(
  framed: FramedCall,
  input: Record<string, unknown>,
  context: OperationContext,
  services: OperationServices,
  audit: RequestAudit,
  record: RequestRecord,
): Promise<object> {
  const { operation } = framed;
  if (!operation.readOnly) {
    for (const member of operation.idempotencyTokens) {
      if (input[member] === undefined) input[member] = randomUUID();
    }
    await audit({ ...record, intent: true });
    record.intended = true;
  }
  return operation.handler(input, context, services);
}
