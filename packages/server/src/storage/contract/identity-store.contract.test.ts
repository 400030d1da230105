import { forEachEngine } from "./engines.contract.js";
import { describeIdentityStoreContract } from "./identity-store.contract.js";

forEachEngine(describeIdentityStoreContract);
