// The PostgreSQL engine's surface for the rest of the server (storage/open-stores.ts).
export { redactedUrl } from "./connection.js";
export { isTransientPostgresFault } from "./faults.js";
export { PostgresIdentityStore } from "./identity-store.js";
export { PostgresLeaseStore, PostgresRotationSchedule } from "./leases.js";
export { latestSchemaVersion } from "./migrations.js";
export { openPostgresStores, type PostgresStoreOptions } from "./open-postgres-stores.js";
export { PostgresSecretStore } from "./postgres-store.js";
