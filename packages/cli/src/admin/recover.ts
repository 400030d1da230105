import type { ServerFunctionLoader } from "../server-module.js";

/**
 * `coffer admin recover`: the server package restores the admin user, mints a new key, audits it and
 * prints it once; it refuses while a server holds the data folder.
 */
export async function runAdminRecover(
  loadServer: ServerFunctionLoader,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const recoverAdminAccess = await loadServer("recoverAdminAccess");
  await recoverAdminAccess(env);
}
