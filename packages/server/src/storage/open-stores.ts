import type { StoreLocation } from "../config/config.js";
import type { Stores } from "../domain/ports/stores.js";
import { openSqliteStores } from "./sqlite/sqlite-stores.js";

/** The one place an engine is chosen; everything above gets the domain's ports. */
export async function openStores(location: StoreLocation): Promise<Stores> {
  switch (location.engine) {
    case "sqlite":
      return openSqliteStores(location.path);
    case "postgres":
      throw new Error("the PostgreSQL store is not part of this build yet");
  }
}
