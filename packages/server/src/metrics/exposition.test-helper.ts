/**
 * Reads Prometheus text exposition back into samples, for tests: `name{a="x",b="y"}` → value,
 * with the labels in the order written. Comments (`# HELP`, `# TYPE`) are kept by name.
 */
export interface Exposition {
  samples: Map<string, number>;
  /** `# TYPE name type` lines: metric name → type. */
  types: Map<string, string>;
}

const samplePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/;

export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (name !== undefined && type !== undefined) types.set(name, type);
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = samplePattern.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const value = match[3] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[3]);
    samples.set(`${match[1]}${match[2] ?? ""}`, value);
  }
  return { samples, types };
}

/** A sample's value, 0 when absent (a counter that has not moved yet is not exported). */
export function sampleOf(exposition: Exposition, key: string): number {
  return exposition.samples.get(key) ?? 0;
}
