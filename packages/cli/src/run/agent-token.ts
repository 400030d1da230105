import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

const FILE_PREFIX = "file://";

/**
 * The token callers of `coffer agent` must send: the contents of --token-file, else
 * COFFER_AGENT_TOKEN, else AWS_TOKEN (whose value may be `file:///path`, as the AWS agent allows).
 * Surrounding whitespace (a trailing newline) is dropped. Errors never quote the token.
 */
export async function readAgentToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (tokenFile !== undefined) return readTokenFile(tokenFile, "--token-file");
  const fromEnv = nonEmpty(env.COFFER_AGENT_TOKEN) ?? nonEmpty(env.AWS_TOKEN);
  if (fromEnv === undefined) {
    throw new UsageError(
      "coffer agent needs a token that callers send in X-Aws-Parameters-Secrets-Token: " +
        "--token-file PATH, or COFFER_AGENT_TOKEN or AWS_TOKEN in the environment",
    );
  }
  if (fromEnv.startsWith(FILE_PREFIX))
    return readTokenFile(fromEnv.slice(FILE_PREFIX.length), "the token file");
  return fromEnv.trim();
}

async function readTokenFile(path: string, what: string): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new UsageError(`cannot read ${what} ${path}: ${code}`);
  }
  const token = content.trim();
  if (token === "") throw new UsageError(`${what} ${path} is empty`);
  return token;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
