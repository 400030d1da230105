import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/**
 * The text of a file a command was given (`--file`, `--trust-policy`, `--jwks-file`): a missing or
 * unreadable file is the user's to fix, said in one line naming the option and the file.
 */
export async function readInputFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder"
            : ((error as Error).message ?? String(error));
    throw new UsageError(`cannot read ${what} ${path}: ${reason}`);
  }
}
