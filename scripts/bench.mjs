#!/usr/bin/env node
// `npm run bench`: every benchmark, each reporting ratios measured side by side in one run; then
// one summary table, and docs/PERFORMANCE.md written from it (machine, versions, command, date,
// each table, each target met or missed and by how much). Sections of the doc between
// `<!-- hand-written:NAME -->` and `<!-- /hand-written:NAME -->` are kept across regenerations.
//
// Build first (`npx tsc -b`): the benchmarks use each package's compiled dist/.
// Settings (environment): BENCH_SECONDS (default 5) and BENCH_ROUNDS (default 3) for all; see
// bench/support.mjs and the header of each bench for the others (BENCH_SECRETS, BENCH_SKIP_SCALE,
// BENCH_CONNECTION_LEVELS, BENCH_NODE_CONNECTIONS, ...). BENCH_ONLY=<substring> runs only the
// benches whose file name holds it; BENCH_NO_DOC=1 prints the table without writing the doc (which
// is written whole from this run: with BENCH_ONLY it would hold only the benches that ran).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, freemem, release, totalmem } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const docPath = join(root, "docs/PERFORMANCE.md");
const benches = [
  "bench/client-cache.mjs",
  "bench/client-cold-fetch.mjs",
  "bench/agent-cache.mjs",
  "bench/server-throughput.mjs",
  "bench/postgres-nodes.mjs",
  "bench/pipeline-cost.mjs",
  "bench/metrics-overhead.mjs",
  "bench/scale.mjs",
].filter((b) => !process.env.BENCH_ONLY || b.includes(process.env.BENCH_ONLY));

/** Runs one bench, its output shown as it comes; resolves its BENCH_RESULT (or why there is none). */
function run(script) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, script)], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: root,
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.once("exit", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      const line = out
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("BENCH_RESULT "));
      let result;
      try {
        result = line ? JSON.parse(line.slice("BENCH_RESULT ".length)) : undefined;
      } catch (error) {
        result = undefined;
        out += `\n(unreadable BENCH_RESULT: ${error.message})`;
      }
      if (code !== 0 || !result) {
        const why = code !== 0 ? `exited ${code ?? signal}` : "printed no BENCH_RESULT line";
        resolve({
          bench: script.replace(/^bench\/|\.mjs$/g, ""),
          title: script,
          rows: [],
          notes: [],
          failed: why,
          seconds,
        });
      } else {
        resolve({ ...result, seconds });
      }
    });
  });
}

/** "met: …" or "missed: …" with how far from the target, for targets "≥ x" or "≤ x". */
function verdict(r) {
  if (r.target === null || r.target === undefined) return "";
  const match = /^(≥|≤)\s*([\d.]+)/.exec(r.target);
  if (r.value === null) return "not measured";
  if (!match || r.met === null) return r.met === null ? "" : r.met ? "met" : "missed";
  const limit = Number(match[2]);
  if (match[1] === "≥") {
    return r.met
      ? `met (${(r.value / limit).toFixed(2)}× the target)`
      : `**missed**: ${(limit / r.value).toFixed(2)}× short of it`;
  }
  return r.met
    ? `met (${(r.value / limit).toFixed(2)}× the limit)`
    : `**missed**: ${(r.value / limit).toFixed(2)}× over it`;
}

const formatValue = (r) =>
  r.value === null
    ? "n/a"
    : `${r.value.toLocaleString("en-US", { maximumSignificantDigits: 4 })}${r.unit === "×" ? "×" : ` ${r.unit}`}`;

function versions() {
  const first = (cmd, args) => {
    const res = spawnSync(cmd, args, { encoding: "utf8" });
    return `${res.stdout ?? ""}${res.stderr ?? ""}`.split("\n")[0].trim() || "not installed";
  };
  let sqlite = "?";
  let betterSqlite = "?";
  try {
    const require = createRequire(join(root, "packages/server/package.json"));
    betterSqlite = require("better-sqlite3/package.json").version;
    const Database = require("better-sqlite3");
    const db = new Database(":memory:");
    sqlite = db.prepare("SELECT sqlite_version() AS v").get().v;
    db.close();
  } catch {}
  const moto = spawnSync("python3", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  const server = JSON.parse(readFileSync(join(root, "packages/server/package.json"), "utf8"));
  return {
    node: process.version,
    wrk: first("wrk", ["-v"]).replace(/ Copyright.*/, ""),
    moto: moto.status === 0 ? moto.stdout.trim() : "not installed",
    "better-sqlite3": `${betterSqlite} (SQLite ${sqlite})`,
    "@coffer/server": server.version,
    commit: first("git", ["-C", root, "log", "-1", "--format=%h %s"]).slice(0, 100),
  };
}

function machine() {
  const cpu = cpus();
  const gb = (b) => `${(b / 2 ** 30).toFixed(1)} GB`;
  return {
    CPU: `${cpu[0]?.model ?? "?"}, ${cpu.length} cores`,
    Memory: `${gb(totalmem())} (${gb(freemem())} free at the end)`,
    OS: `${process.platform} ${release()}`,
    Load: `${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (1/5/15 min load average at the end)`,
  };
}

function command() {
  const settings = Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .sort()
    .map(([k, v]) => `${k}=${v}`);
  return [...settings, "npm run bench"].join(" ");
}

const table = (rows) => [
  "| measure | value | target | result |",
  "|---|---:|---|---|",
  ...rows.map((r) => `| ${r.name} | ${formatValue(r)} | ${r.target ?? ""} | ${verdict(r)} |`),
];

const handDefaults = {
  "where-the-time-goes":
    "_Filled in by hand: for each missed target, a CPU profile of the path (`node --cpu-prof`), and where the time goes._",
  disk: "_Filled in by hand: what each byte of a stored secret and of an audit event is for._",
};

function handSections(previous) {
  const kept = { ...handDefaults };
  for (const m of previous.matchAll(
    /<!-- hand-written:([\w-]+) -->\n([\s\S]*?)\n?<!-- \/hand-written:\1 -->/g,
  )) {
    kept[m[1]] = m[2];
  }
  return kept;
}

function documentOf(results, totalSeconds) {
  const previous = existsSync(docPath) ? readFileSync(docPath, "utf8") : "";
  const hand = handSections(previous);
  const section = (name) => [`<!-- hand-written:${name} -->`, hand[name], `<!-- /hand-written:${name} -->`];
  const targets = results.flatMap((res) =>
    res.rows.filter((r) => r.met !== null).map((r) => ({ ...r, bench: res.bench })),
  );
  const lines = [
    "# Performance",
    "",
    "Written by `npm run bench` (scripts/bench.mjs) from the benchmarks' `BENCH_RESULT` lines; only the",
    "sections marked hand-written survive the next run. Ratios are measured side by side in one run:",
    "compare them, not absolute figures, across machines and days (the machine may be shared).",
    "",
    "## This run",
    "",
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
    `- Command: \`${command()}\``,
    `- Took: ${(totalSeconds / 60).toFixed(1)} min (${results.map((r) => `${r.bench} ${r.seconds.toFixed(0)} s`).join(", ")})`,
    ...Object.entries(machine()).map(([k, v]) => `- ${k}: ${v}`),
    ...Object.entries(versions()).map(([k, v]) => `- ${k}: ${v}`),
    "",
    "## Targets",
    "",
    "| bench | target | measured | result |",
    "|---|---|---:|---|",
    ...targets.map((r) => `| ${r.bench} | ${r.name} ${r.target} | ${formatValue(r)} | ${verdict(r)} |`),
    ...results.filter((r) => r.failed).map((r) => `| ${r.bench} | (did not run: ${r.failed}) | | |`),
    "",
  ];
  for (const res of results) {
    lines.push(`## ${res.title} (\`bench/${res.bench}.mjs\`)`, "");
    if (res.failed) lines.push(`Did not complete: ${res.failed}.`, "");
    if (res.rows.length > 0) lines.push(...table(res.rows), "");
    for (const note of res.notes ?? []) lines.push(`- ${note}`);
    if ((res.notes ?? []).length > 0) lines.push("");
  }
  lines.push("## Where the time goes", "", ...section("where-the-time-goes"), "");
  lines.push("## Disk: what each byte is for", "", ...section("disk"), "");
  return lines.join("\n");
}

const started = performance.now();
const results = [];
for (const script of benches) {
  console.log(`\n== ${script}`);
  results.push(await run(script));
}
const totalSeconds = (performance.now() - started) / 1000;

console.log("\n== Summary");
for (const res of results) {
  console.log(
    `\n${res.title} (${res.bench}, ${res.seconds.toFixed(0)} s)${res.failed ? `: FAILED, ${res.failed}` : ""}`,
  );
  for (const r of res.rows) {
    const v = verdict(r).replaceAll("**", "");
    console.log(
      `  ${r.name.padEnd(70)} ${formatValue(r).padStart(14)}${r.target ? `  ${r.target}` : ""}${v ? `  ${v}` : ""}`,
    );
  }
}
console.log(`\n${results.length} benchmarks in ${totalSeconds.toFixed(0)} s`);
if (process.env.BENCH_NO_DOC !== "1") {
  writeFileSync(docPath, documentOf(results, totalSeconds));
  // The repository's formatter pads the tables (biome checks Markdown too).
  const biome = join(root, "node_modules/.bin/biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", docPath], { stdio: "ignore" });
  console.log(`wrote ${docPath.slice(root.length)}`);
}
if (results.some((r) => r.failed)) process.exitCode = 1;
