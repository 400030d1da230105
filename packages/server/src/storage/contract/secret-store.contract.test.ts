import { forEachEngine } from "./engines.contract.js";
import { describeSecretStoreContract } from "./secret-store.contract.js";

forEachEngine((engine, open) =>
  describeSecretStoreContract(
    engine,
    open,
    engine === "PostgreSQL"
      ? {
          nulInTexts:
            "PostgreSQL TEXT cannot hold U+0000: a description, KMS key id, type, version id or staging label carrying one fails the commit (22021), which the server answers with InvalidParameterException (400; docs/multi-node.md, Limits), where SQLite keeps it",
        }
      : {},
  ),
);
