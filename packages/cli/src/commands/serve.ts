import type { ServerFunctionLoader } from "../server-module.js";

/** `coffer serve`: runs the server in this process until SIGINT or SIGTERM; it reads its own settings. */
export async function runServe(loadServer: ServerFunctionLoader, env: NodeJS.ProcessEnv): Promise<void> {
  const serveFromEnvironment = await loadServer("serveFromEnvironment");
  await serveFromEnvironment(env);
}
