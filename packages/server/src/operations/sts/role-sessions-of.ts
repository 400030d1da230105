import type { RoleSessions } from "../../domain/identity/sts/role-sessions.js";
import { NotImplementedYetException } from "../../errors/catalog.js";
import type { OperationServices } from "../operation.js";

/** The domain's role sessions, or a clear refusal where this server has none wired. */
export function roleSessionsOf(services: OperationServices, action: string): RoleSessions {
  if (!services.sts) {
    throw new NotImplementedYetException(
      `Role sessions are not configured on this Coffer server, so it cannot answer ${action}; no credentials were issued.`,
    );
  }
  return services.sts;
}
