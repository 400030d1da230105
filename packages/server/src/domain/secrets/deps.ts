import type { Envelope } from "../../crypto/envelope.js";
import type { SecretStore } from "../../storage/port.js";

/** What the secrets domain needs from the outside world; tests pass their own. */
export interface SecretDomainDeps {
  store: SecretStore;
  envelope: Envelope;
  accountId: string;
  /** Epoch milliseconds. */
  now: () => number;
  newVersionId: () => string;
  newArnSuffix: () => string;
}

/** Which partition a request addresses: secrets are regional, as in AWS. */
export interface RequestScope {
  region: string;
}
