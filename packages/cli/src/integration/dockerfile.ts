/** A Dockerfile read into its build stages, enough to check the image's shape without a Docker engine. */

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG lines before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = (lines[i] ?? "").trim();
    if (logical === "" || logical.startsWith("#")) continue;
    while (logical.endsWith("\\") && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? "").trim();
      logical = `${logical.slice(0, -1).trimEnd()} ${next.startsWith("#") ? "" : next}`.trimEnd();
    }
    const match = /^(\S+)\s*(.*)$/s.exec(logical);
    if (!match) continue;
    const keyword = (match[1] ?? "").toUpperCase();
    const args = (match[2] ?? "").trim();
    if (keyword === "FROM") {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`line ${start + 1}: cannot read FROM ${args}`);
      stages.push({ image: from[1] ?? "", name: from[2], instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== "ARG") throw new Error(`line ${start + 1}: ${keyword} before the first FROM`);
      const [name, value = ""] = args.split("=", 2);
      globalArgs[name ?? ""] = value;
    } else {
      stages[stages.length - 1]?.instructions.push({ keyword, args, line: start + 1 });
    }
  }
  return { globalArgs, stages };
}

/** `KEY=value KEY2="value 2"` of an ENV instruction (the legacy `ENV KEY value` form too). */
export function envAssignments(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!args.includes("=") || /^\S+\s/.test(args.split("=")[0] ?? "")) {
    const [key, ...rest] = args.split(/\s+/);
    if (key) out[key] = rest.join(" ");
    return out;
  }
  for (const match of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const value = match[2] ?? "";
    out[match[1] ?? ""] = value.startsWith('"') ? JSON.parse(value) : value;
  }
  return out;
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === "string") ? parsed : undefined;
}
