import { forEachEngine } from "./engines.contract.js";
import { describeRotationAndLeasesContract } from "./rotation-and-leases.contract.js";

forEachEngine(describeRotationAndLeasesContract);
