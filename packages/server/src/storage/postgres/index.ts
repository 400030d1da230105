export { redactedUrl } from "./connection.js";
export { isTransientPostgresFault } from "./faults.js";
export { openPostgresStores, type PostgresStoreOptions } from "./open-postgres-stores.js";
