import { NotImplementedYetException } from "../errors/catalog.js";
import type { Operation } from "./operation.js";

/** Operations of the protocol that arrive in later releases answer a clear error, never a fake success. */
export function notBuiltYet(operation: string, arrivesWith: string): Operation {
  return async () => {
    throw new NotImplementedYetException(
      `${operation} is not supported by this Coffer server yet (${arrivesWith} is planned); no change was made.`,
    );
  };
}
