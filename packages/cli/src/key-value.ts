import type { Tag } from "@aws-sdk/client-secrets-manager";
import { UsageError } from "./errors.js";

export interface KeyValue {
  key: string;
  value: string;
}

/** Splits at the first "=", so values may contain "="; undefined when there is no "=" or no key. */
export function splitKeyValue(argument: string): KeyValue | undefined {
  const equals = argument.indexOf("=");
  if (equals <= 0) return undefined;
  return { key: argument.slice(0, equals), value: argument.slice(equals + 1) };
}

/** `--tag env=prod --tag team=core` → Secrets Manager tags. Tags are not secret, so errors quote them. */
export function parseTags(tags: readonly string[]): Tag[] {
  return tags.map((tag) => {
    const pair = splitKeyValue(tag);
    if (pair === undefined) throw new UsageError(`--tag expects KEY=VALUE, got "${tag}"`);
    return { Key: pair.key, Value: pair.value };
  });
}

/** Collects a repeatable option's values; commander calls it once per occurrence. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
