import { forEachEngine } from "./engines.contract.js";
import { describeRolesAndProvidersContract } from "./roles-and-providers.contract.js";

forEachEngine(describeRolesAndProvidersContract);
