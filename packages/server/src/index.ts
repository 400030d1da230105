export { type LocalAuditApi, openAuditTrail, openLocalAuditApi } from "./app/audit-trail.js";
export { recoverAdminAccess } from "./app/recover-admin.js";
export { rotateMasterKey } from "./app/rotate-master-key.js";
export { serveFromEnvironment } from "./app/serve.js";
export { type RunningServer, startServer } from "./app/start-server.js";
export type { AuditLog } from "./audit/audit-log.js";
export type { AuditFilter, StoredAuditEvent } from "./audit/audit-query.js";
export { type CofferConfig, ConfigError, defaultPort, loadConfig } from "./config/config.js";
export { createLogger, type Logger } from "./log/logger.js";
