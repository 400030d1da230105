import type { SecretsOptions } from "@coffer/client";
import { UsageError } from "../errors.js";

export type SourceList = NonNullable<SecretsOptions["sources"]>;
type Source = SourceList[number];

/**
 * `--source env,files:/etc/app,coffer` (the syntax of COFFER_SOURCE): comma-separated `kind[:argument]`
 * in order. Arguments: coffer → endpoint URL, aws → region, files → folder, dotenv → file, agent → URL.
 */
export function parseSourceList(list: string, flag = "--source"): SourceList {
  const sources: SourceList = [];
  for (const raw of list.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const colon = item.indexOf(":");
    const kind = (colon === -1 ? item : item.slice(0, colon)).trim().toLowerCase();
    const argument = colon === -1 ? "" : item.slice(colon + 1).trim();
    sources.push(toSource(kind, argument, flag));
  }
  if (sources.length === 0) throw new UsageError(`${flag} names no source`);
  return sources;
}

function toSource(kind: string, argument: string, flag: string): Source {
  const given = argument !== "";
  switch (kind) {
    case "coffer":
      return given ? { kind, endpoint: httpUrl(argument, flag) } : { kind };
    case "aws":
      return given ? { kind, region: argument } : { kind };
    case "env":
      if (given) throw new UsageError(`${flag}: "env" takes no argument`);
      return { kind };
    case "files":
      return given ? { kind, dir: argument } : { kind };
    case "dotenv":
      return given ? { kind, path: argument } : { kind };
    case "agent":
      return given ? { kind, url: httpUrl(argument, flag) } : { kind };
    default:
      throw new UsageError(
        `${flag}: unknown source "${kind}"; expected coffer, aws, env, files, dotenv or agent`,
      );
  }
}

function httpUrl(text: string, flag: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(`${flag}: "${text}" is not an http:// or https:// URL`);
  }
  return text;
}
