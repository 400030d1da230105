import type { Envelope } from "../../crypto/envelope.js";
import type { Authorizer, Caller } from "../access/authorizer.js";
import type { SecretStore } from "../ports/secret-store.js";
import type { ChangePublisher } from "./change-events.js";
import type { SecretReadModel } from "./read-model.js";
import type { ReplicationAudit } from "./replication-audit.js";

/** What the secrets domain needs from the outside world; tests pass their own. */
export interface SecretDomainDeps {
  store: SecretStore;
  envelope: Envelope;
  accountId: string;
  /** Epoch milliseconds. */
  now: () => number;
  newVersionId: () => string;
  newArnSuffix: () => string;
  /** Told after every committed change (the change feed); never given a value. */
  changes?: ChangePublisher | undefined;
  /** Access control; absent in tests of the rules alone. Every request with a caller is checked. */
  authorizer?: Authorizer | undefined;
  /**
   * The in-memory read model (read-model.ts, docs/adr/0008); absent, every read goes to the store.
   * Whoever sets it must also feed it every change: `store` wrapped by `invalidatingStore` and the
   * change bus followed (open-coffer.ts does both).
   */
  readModel?: SecretReadModel | undefined;
  /**
   * Where a replicated change's events in each replica's region go (replication-audit.ts); absent,
   * only the request's own event records it.
   */
  replicationAudit?: ReplicationAudit | undefined;
}

/** Which partition a request addresses: secrets are regional, as in AWS. */
export interface RequestScope {
  region: string;
  /** The authenticated caller; absent for the server's own work (the purge sweep). */
  caller?: Caller | undefined;
}
