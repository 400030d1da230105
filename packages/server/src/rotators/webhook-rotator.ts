import {
  type RotationContext,
  RotationStepError,
  type RotationStepEvent,
  type Rotator,
} from "../domain/rotation/rotator.js";
import { trimQuoted } from "./trim.js";
import { signatureHeader, signWebhook, timestampHeader } from "./webhook-signature.js";

export interface WebhookOptions {
  url: URL;
  /** The shared secret the receiver verifies {@link signatureHeader} with. */
  secret: Buffer;
  /** How long one step may take, the rotation's own budget (the context's signal) aside. */
  timeoutMs: number;
  /** The `RotationLambdaARN` this webhook stands for, sent as `x-coffer-rotation-lambda-arn`. */
  functionArn: string;
  now?: () => number;
}

/** How much of a failed reply is read (and at most {@link trimQuoted}'s length quoted). */
const maxReplyBytes = 4096;

/**
 * Performs a step by POSTing the event AWS would send a rotation function, as JSON, signed with
 * HMAC-SHA256 over `<timestamp>.<body>` (headers `x-coffer-timestamp`, `x-coffer-signature`). The
 * receiver does the step with its own credentials; a 2xx reply means done, anything else (a
 * redirect too), no reply in time or no connection means the step failed. No credentials are sent.
 */
export class WebhookRotator implements Rotator {
  readonly description: string;

  constructor(private readonly options: WebhookOptions) {
    // The URL as shown: without credentials, query or fragment, which may hold tokens.
    this.description = `webhook ${options.url.origin}${options.url.pathname}`;
  }

  async invoke(event: RotationStepEvent, context: RotationContext): Promise<void> {
    const step = event.Step;
    const fail = (why: string) =>
      new RotationStepError(step, `${step} failed at ${this.description}: ${why}`);
    const body = JSON.stringify({
      Step: event.Step,
      SecretId: event.SecretId,
      ClientRequestToken: event.ClientRequestToken,
      RotationToken: event.RotationToken,
    });
    const timestamp = String(Math.floor((this.options.now ?? Date.now)() / 1000));
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: "POST",
        redirect: "manual",
        signal,
        headers: {
          "content-type": "application/json",
          "user-agent": "coffer-rotation/1",
          [timestampHeader]: timestamp,
          [signatureHeader]: signWebhook(this.options.secret, timestamp, body),
          "x-coffer-rotation-step": step,
          "x-coffer-rotation-lambda-arn": this.options.functionArn,
        },
        body,
      });
    } catch (error) {
      if (timeout.aborted) throw fail(`no reply within ${Math.round(this.options.timeoutMs / 1000)} s`);
      if (context.signal.aborted) throw fail("the rotation's time ran out");
      throw fail(`could not reach it (${connectionProblem(error)})`);
    }
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    const reply = await readSome(response).catch(() => "");
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    throw fail(reply ? `it answered ${status}: ${trimQuoted(reply)}` : `it answered ${status}`);
  }
}

async function readSome(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxReplyBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, maxReplyBytes).toString("utf8");
}

/** The error code of a failed connection (ECONNREFUSED, ENOTFOUND, …), never a URL with credentials. */
function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.name === "string") return cause.name;
  return error instanceof Error ? error.name : "unknown error";
}
