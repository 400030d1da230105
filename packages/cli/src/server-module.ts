import { CliError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";

/** The server entry points the CLI starts; each prints its own banner or progress. */
export type ServerFunctionName = "serveFromEnvironment" | "rotateMasterKey" | "recoverAdminAccess";
export type ServerFunction = (env: NodeJS.ProcessEnv) => Promise<unknown>;
export type ServerFunctionLoader = (name: ServerFunctionName) => Promise<ServerFunction>;

/**
 * Imported on demand so the client commands never load the server (SQLite, crypto setup) and keep
 * working where only the client is installed.
 */
export const loadServerFunction: ServerFunctionLoader = async (name) => {
  let server: typeof import("@coffer/server");
  try {
    server = await import("@coffer/server");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot load the Coffer server (@coffer/server): ${reason}`, ExitCode.ServiceError);
  }
  return server[name];
};
