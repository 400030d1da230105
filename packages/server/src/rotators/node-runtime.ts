/**
 * The Node.js side of a local Lambda invocation, run as `node node-runtime.js <file> <handler>
 * <deadline ms since epoch> <function name> <function ARN>`: imports the module, reads the event
 * from stdin, calls `handler(event, context)` (async, or callback style when it takes three
 * arguments) with a Lambda-shaped context, and writes one JSON result to fd 3. Only run as a child
 * process by `local-lambda-rotator.ts`; importing this file does nothing.
 */
import { randomUUID } from "node:crypto";
import { writeSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";

type Handler = (
  event: unknown,
  context: object,
  callback?: (error: unknown, value?: unknown) => void,
) => unknown;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function report(outcome: object): void {
  writeSync(3, JSON.stringify(outcome));
}

async function run(args: string[]): Promise<void> {
  const [file, handlerName, deadline, functionName, functionArn] = args as [
    string,
    string,
    string,
    string,
    string,
  ];
  const context = {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn,
    memoryLimitInMB: "128",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "coffer-local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Number(deadline) - Date.now()),
  };
  try {
    const event: unknown = JSON.parse(await readStdin());
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown> & {
      default?: Record<string, unknown>;
    };
    const handler = (module[handlerName] ?? module.default?.[handlerName]) as Handler | undefined;
    if (typeof handler !== "function") {
      throw new TypeError(`${basename(file)} does not export a function ${handlerName}`);
    }
    if (handler.length >= 3) {
      await new Promise((resolve, reject) => {
        const returned = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
        if (returned instanceof Promise) returned.then(resolve, reject);
      });
    } else {
      await handler(event, context);
    }
    report({ ok: true });
  } catch (error) {
    const errorType = error instanceof Error ? error.name : typeof error;
    const errorMessage = error instanceof Error ? error.message : String(error);
    report({ ok: false, errorType, errorMessage });
  }
  // A handler's open sockets (an SDK's keep-alive) must not keep the step running: Lambda freezes it.
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void run(process.argv.slice(2));
}
