import type { ServerFunctionLoader } from "../server-module.js";

/** `coffer keys rotate`: the server package rotates the master key and reports its own progress. */
export async function runKeysRotate(loadServer: ServerFunctionLoader, env: NodeJS.ProcessEnv): Promise<void> {
  const rotateMasterKey = await loadServer("rotateMasterKey");
  await rotateMasterKey(env);
}
