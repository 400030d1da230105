import { forEachEngine } from "./engines.contract.js";
import { describeSecretStoreContract } from "./secret-store.contract.js";

forEachEngine(describeSecretStoreContract);
