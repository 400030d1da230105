import type { Server } from "node:http";
import { ConfigError } from "../config/config.js";

/** Why a listen failed, told in terms of the settings that fix it. */
function listenProblem(code: string | undefined, host: string, port: number): string | undefined {
  const where = `${host}:${port}`;
  switch (code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: the port is already in use (another Coffer?). Set COFFER_PORT to a free port (0 picks one), or COFFER_HOST to another address.`;
    case "EACCES":
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges). Set COFFER_PORT to a port above 1023.`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: no network interface has that address. Set COFFER_HOST to an address of this machine (default 127.0.0.1).`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot listen on ${where}: the host name does not resolve. Set COFFER_HOST to an address of this machine (default 127.0.0.1).`;
    default:
      return undefined;
  }
}

/**
 * Binds the port. Called before the data folder is touched, so a start that cannot serve creates
 * nothing (no master key, no admin key whose one-time secret would never be shown).
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const problem = listenProblem(error.code, host, port);
      reject(problem === undefined ? error : new ConfigError(problem));
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}
