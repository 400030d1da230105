import { readFile } from "node:fs/promises";
import type { InteractiveContext, Output } from "./context.js";
import { UsageError } from "./errors.js";
import { splitKeyValue } from "./key-value.js";
import { readAllText } from "./stdin.js";

export interface ValueSourceOptions {
  /** JSON file to read; "-" reads standard input. */
  file?: string;
  /** Store the file as is instead of requiring JSON. */
  raw?: boolean;
  /** Suppress the warning about values on the command line. */
  quiet?: boolean;
}

export interface ValueSourceContext extends InteractiveContext {
  stderr: Output;
}

/** The argument value that means "ask me for this one without echo". */
export const PROMPT_MARKER = "-";

export const ARGUMENT_WARNING =
  "warning: values given as arguments end up in shell history and the process list; " +
  "prefer --file PATH, --file - (stdin), or KEY=- to be prompted (--quiet hides this)";

/**
 * Decides where the new secret value comes from: exactly one of a file (or stdin), KEY=VALUE pairs
 * (stored as a JSON object), or a hidden prompt. Error messages here never quote a value: a mistyped
 * argument may well be the secret itself.
 */
export async function readSecretValue(
  context: ValueSourceContext,
  secretName: string,
  pairs: readonly string[],
  options: ValueSourceOptions,
): Promise<string> {
  if (options.file !== undefined && pairs.length > 0) {
    throw new UsageError("give the value one way: --file or KEY=VALUE pairs, not both");
  }
  if (options.raw && options.file === undefined) {
    throw new UsageError("--raw only applies to --file");
  }
  if (options.file !== undefined) return readValueFile(context, options.file, options.raw ?? false);
  if (pairs.length > 0) return readPairs(context, pairs, options.quiet ?? false);
  if (!context.isTTY) {
    throw new UsageError(
      "no value given: use --file PATH, --file - to read stdin, or KEY=VALUE pairs " +
        "(or run in a terminal to be prompted)",
    );
  }
  return promptTwice(context, `Value for ${secretName}`);
}

async function readValueFile(context: ValueSourceContext, file: string, raw: boolean): Promise<string> {
  const fromStdin = file === "-";
  if (fromStdin && context.isTTY) {
    // Typing into a terminal that is not in prompt mode echoes every character.
    throw new UsageError(
      "--file - reads stdin, which is a terminal: pipe the value in, or omit --file to be prompted",
    );
  }
  const source = fromStdin ? "standard input" : file;
  const text = fromStdin ? await readAllText(context.stdin) : await readTextFile(file);
  if (text.length === 0) throw new UsageError(`${source} is empty`);
  if (!raw) {
    try {
      JSON.parse(text);
    } catch {
      // Not the SyntaxError's message: V8 quotes the offending text, which is the secret.
      throw new UsageError(`${source} is not valid JSON (add --raw to store it as is)`);
    }
  }
  return text;
}

async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    throw new UsageError(`cannot read ${file}: ${code}`);
  }
}

async function readPairs(
  context: ValueSourceContext,
  pairs: readonly string[],
  quiet: boolean,
): Promise<string> {
  // A Map, not an object literal: a key named "__proto__" must become a field, not a prototype.
  const value = new Map<string, string>();
  let literalGiven = false;
  for (const [index, argument] of pairs.entries()) {
    const pair = splitKeyValue(argument);
    if (pair === undefined) {
      throw new UsageError(
        `value argument ${index + 1} is not KEY=VALUE; to store a single value use --file or the prompt`,
      );
    }
    if (value.has(pair.key)) throw new UsageError(`key "${pair.key}" is given twice`);
    if (pair.value === PROMPT_MARKER) {
      if (!context.isTTY) throw new UsageError(`cannot prompt for "${pair.key}": stdin is not a terminal`);
      value.set(pair.key, await promptTwice(context, `Value for ${pair.key}`));
    } else {
      literalGiven = true;
      value.set(pair.key, pair.value);
    }
  }
  if (literalGiven && !quiet) context.stderr.write(`${ARGUMENT_WARNING}\n`);
  return JSON.stringify(Object.fromEntries(value));
}

/** Hidden entry, twice, because a typo in an unseen value would otherwise be stored silently. */
async function promptTwice(context: ValueSourceContext, label: string): Promise<string> {
  const first = await context.prompt.secret(`${label}:`);
  if (first.length === 0) throw new UsageError("the value is empty");
  const second = await context.prompt.secret(`${label} (again):`);
  if (first !== second) throw new UsageError("the two entries do not match; nothing was stored");
  return first;
}
