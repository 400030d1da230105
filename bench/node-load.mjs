// A fallback load generator when wrk is not installed: keep-alive connections in a closed loop.
import { Agent, request as httpRequest } from "node:http";

export function nodeLoad(url, signed, { seconds, connections }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port } = new URL(url);
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { agent, hostname, port, method: "POST", path: "/", headers: signed.headers },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(signed.body);
    });
  const loop = async () => {
    while (performance.now() < deadline) {
      await one();
      done++;
    }
  };
  const started = performance.now();
  return Promise.all(Array.from({ length: connections }, loop)).then(() => {
    agent.destroy();
    return done / ((performance.now() - started) / 1000);
  });
}
