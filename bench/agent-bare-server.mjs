// The agent's ceiling: node:http answering, on any GET, the very body and headers the agent
// answers for the bench secret (BENCH_BODY), with no work at all.
import { createServer } from "node:http";

const body = process.env.BENCH_BODY ?? "";
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => server.close());
