import { forEachEngine } from "./engines.contract.js";
import { describeOutsideChangesContract } from "./outside-changes.contract.js";

forEachEngine(describeOutsideChangesContract);
