// A fallback load generator for GET requests when wrk is not installed: keep-alive connections
// in a closed loop. Resolves to requests per second and the 99th percentile latency in ms.
import { Agent, request as httpRequest } from "node:http";

export function nodeGetLoad(url, headers, { seconds, connections }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port, pathname, search } = new URL(url);
  const deadline = performance.now() + seconds * 1000;
  const latencies = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = httpRequest(
        { agent, hostname, port, method: "GET", path: pathname + search, headers },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(performance.now() - started);
            res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`));
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  const loop = async () => {
    while (performance.now() < deadline) await one();
  };
  const started = performance.now();
  return Promise.all(Array.from({ length: connections }, loop)).then(() => {
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return {
      rps: latencies.length / elapsed,
      requests: latencies.length,
      p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
    };
  });
}
