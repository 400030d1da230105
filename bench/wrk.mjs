// wrk replaying pre-signed requests: each request is written out in full (request line, headers,
// body) ahead of the timed window, and a small Lua script sends them — one at random from the
// set, or each once in order (for CreateSecret, whose names must be unique). Signing happens
// before the clock starts, so the load generator's cost is the same for every server.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedGetSecretValue } from "./signed-request.mjs";
import { hasTaskset } from "./support.mjs";

export const hasWrk = spawnSync("which", ["wrk"]).status === 0;

const separator = "\n@@\n"; // never inside a request: headers end in \r\n, JSON bodies hold no newline

/** One signed AWS JSON request, as the raw bytes wrk sends. */
export async function rawRequest(url, credentials, operation, input) {
  const { headers, body } = await signedGetSecretValue(url, credentials, operation, input);
  const lines = [`POST / HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "content-length") lines.push(`${name}: ${value}`);
  }
  lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Signs `inputs.length` requests of one operation (in order). */
export function rawRequests(url, credentials, operation, inputs) {
  return Promise.all(inputs.map((input) => rawRequest(url, credentials, operation, input)));
}

const lua = (file, order) => `
local f = assert(io.open(${JSON.stringify(file)}, "rb"))
local data = f:read("*a")
f:close()
local requests = {}
local at = 1
while true do
  local s, e = string.find(data, ${JSON.stringify(separator)}, at, true)
  if not s then break end
  requests[#requests + 1] = string.sub(data, at, s - 1)
  at = e + 1
end
local n = #requests
local i = 0
math.randomseed(os.time())
request = function()
  ${order === "random" ? "return requests[math.random(n)]" : "i = i + 1\n  if i > n then i = 1 end\n  return requests[i]"}
end
`;

function parseDuration(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) return Number.NaN;
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2]];
  return Number(match[1]) * factor;
}

/**
 * Runs wrk (pinned to cpu 1 when taskset exists) against `url` for `seconds` with `connections`,
 * sending `requests` (raw, from rawRequests) in `order` ("random" or "sequence").
 * Returns { rps, p50, p99 (ms), requests, errors (non-2xx), socketErrors }.
 */
export function wrk(url, requests, { seconds, connections, order = "random" }) {
  if (!hasWrk) throw new Error("wrk is not installed (apt-get install wrk)");
  const folder = mkdtempSync(join(tmpdir(), "coffer-bench-wrk-"));
  try {
    const data = join(folder, "requests");
    writeFileSync(data, requests.map((r) => r + separator).join(""));
    const script = join(folder, "replay.lua");
    writeFileSync(script, lua(data, order));
    const args = [
      "-t1",
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      "--latency",
      "--timeout",
      "10s",
      "-s",
      script,
      url,
    ];
    const result = spawnSync(
      hasTaskset ? "taskset" : "wrk",
      hasTaskset ? ["-c", "1", "wrk", ...args] : args,
      {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      },
    );
    if (result.status !== 0)
      throw new Error(`wrk failed (${result.status}): ${result.stderr}${result.stdout}`);
    return parseWrk(result.stdout);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** wrk's text output as { rps, p50, p99 (ms), requests, errors (non-2xx), socketErrors, output }. */
function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p50 = parseDuration(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "");
  const p99 = parseDuration(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? "");
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, x) => sum + Number(x), 0) : 0;
  // Nothing answered in the whole window (a stalled server): reported as 0 req/s, not hidden.
  if (total === 0)
    return { rps: 0, p50: Number.NaN, p99: Number.NaN, requests: 0, errors, socketErrors: 0, output: out };
  return { rps, p50, p99, requests: total, errors, socketErrors, output: out };
}

const spreadLua = (targets) => `
-- Each thread is given one node (round-robin over the threads, so with threads a multiple of the
-- node count every node gets the same number of connections) and that node's signed requests.
local targets = { ${targets.map((t) => `{ host = ${JSON.stringify(t.host)}, port = ${JSON.stringify(t.port)}, file = ${JSON.stringify(t.file)} }`).join(", ")} }
local started = 0
function setup(thread)
  local k = started % #targets + 1
  started = started + 1
  thread.addr = wrk.lookup(targets[k].host, targets[k].port)[1]
  thread:set("file", targets[k].file)
  thread:set("seed", started)
end
local requests = {}
local n = 0
function init(args)
  local f = assert(io.open(file, "rb"))
  local data = f:read("*a")
  f:close()
  local at = 1
  while true do
    local s, e = string.find(data, ${JSON.stringify(separator)}, at, true)
    if not s then break end
    requests[#requests + 1] = string.sub(data, at, s - 1)
    at = e + 1
  end
  n = #requests
  math.randomseed(os.time() * 100 + seed)
end
request = function()
  return requests[math.random(n)]
end
`;

/**
 * Runs one wrk (not pinned: for benches whose servers share every core) against several nodes at
 * once: `threads` wrk threads, assigned to the nodes round-robin, `connections` in all, split
 * evenly over the threads; each thread sends its node's `requests` (signed for that node's
 * host:port) at random. `targets` is [{ url, requests }]. Returns what `wrk` returns, with one
 * latency distribution over all nodes.
 */
export function wrkSpread(targets, { seconds, connections, threads }) {
  if (!hasWrk) throw new Error("wrk is not installed (apt-get install wrk)");
  if (threads % targets.length !== 0 || connections % threads !== 0)
    throw new Error(
      `${threads} threads cannot spread ${connections} connections evenly over ${targets.length} nodes`,
    );
  const folder = mkdtempSync(join(tmpdir(), "coffer-bench-wrk-"));
  try {
    const listed = targets.map((target, i) => {
      const file = join(folder, `requests-${i}`);
      writeFileSync(file, target.requests.map((r) => r + separator).join(""));
      const { hostname, port } = new URL(target.url);
      return { host: hostname, port, file };
    });
    const script = join(folder, "spread.lua");
    writeFileSync(script, spreadLua(listed));
    const args = [
      `-t${threads}`,
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      "--latency",
      "--timeout",
      "10s",
      "-s",
      script,
      targets[0].url,
    ];
    const result = spawnSync("wrk", args, { encoding: "utf8", maxBuffer: 1 << 24 });
    if (result.status !== 0)
      throw new Error(`wrk failed (${result.status}): ${result.stderr}${result.stdout}`);
    return parseWrk(result.stdout);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
