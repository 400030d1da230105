// The ceiling: node:http answering a constant GetSecretValue-sized JSON, no work at all.
import { createServer } from "node:http";

const body = JSON.stringify({
  ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench/db-AbCdEf",
  Name: "bench/db",
  VersionId: "00000000-0000-0000-0000-000000000000",
  SecretString: JSON.stringify({
    username: "app",
    password: "x".repeat(32),
    host: "db.internal",
    port: 5432,
  }),
  VersionStages: ["AWSCURRENT"],
  CreatedDate: 1790000000.123,
});
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, {
      "content-type": "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
