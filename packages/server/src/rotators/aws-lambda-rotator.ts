import { InvokeCommand, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import {
  type RotationContext,
  RotationStepError,
  type RotationStepEvent,
  type Rotator,
} from "../domain/rotation/rotator.js";
import { functionNameOf } from "./local-lambda-rotator.js";
import { trimQuoted } from "./trim.js";

/** What the rotator needs of `LambdaClient` (injectable, so tests need no patching). */
export interface LambdaInvoker {
  send(command: InvokeCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeCommandOutput>;
}

export interface AwsLambdaOptions {
  functionArn: string;
  client: LambdaInvoker;
  /** How long one step may take, the rotation's own budget (the context's signal) aside. */
  timeoutMs: number;
}

/**
 * Invokes the real AWS Lambda function a `RotationLambdaARN` names (Invoke, RequestResponse) with
 * the event AWS Secrets Manager would send. The function runs in AWS with its own role: to rotate a
 * Coffer secret it must be pointed at Coffer (its own `SECRETS_MANAGER_ENDPOINT` /
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`) with its own Coffer credentials, as a webhook is; Coffer's
 * issued credentials do not leave Coffer. A function error (`X-Amz-Function-Error`) fails the step
 * with the function's `errorType: errorMessage`.
 */
export class AwsLambdaRotator implements Rotator {
  readonly description: string;

  constructor(private readonly options: AwsLambdaOptions) {
    this.description = `aws lambda ${functionNameOf(options.functionArn)}`;
  }

  async invoke(event: RotationStepEvent, context: RotationContext): Promise<void> {
    const step = event.Step;
    const fail = (why: string) =>
      new RotationStepError(step, `${step} failed in ${this.description}: ${why}`);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const payload = JSON.stringify({
      Step: event.Step,
      SecretId: event.SecretId,
      ClientRequestToken: event.ClientRequestToken,
      RotationToken: event.RotationToken,
    });
    let output: InvokeCommandOutput;
    try {
      output = await this.options.client.send(
        new InvokeCommand({
          FunctionName: this.options.functionArn,
          InvocationType: "RequestResponse",
          Payload: Buffer.from(payload, "utf8"),
        }),
        { abortSignal: AbortSignal.any([context.signal, timeout]) },
      );
    } catch (error) {
      if (timeout.aborted) throw fail(`no answer within ${Math.round(this.options.timeoutMs / 1000)} s`);
      if (context.signal.aborted) throw fail("the rotation's time ran out");
      const name = error instanceof Error ? error.name : "Error";
      const message = error instanceof Error ? trimQuoted(error.message) : "";
      throw fail(message ? `${name}: ${message}` : name);
    }
    if (output.FunctionError !== undefined) {
      const { errorType, errorMessage } = functionErrorOf(output.Payload);
      throw fail(errorMessage ? `${errorType}: ${errorMessage}` : errorType);
    }
    if (output.StatusCode !== undefined && (output.StatusCode < 200 || output.StatusCode >= 300)) {
      throw fail(`Lambda answered ${output.StatusCode}`);
    }
  }
}

/** Lambda's error payload: `{"errorType": ..., "errorMessage": ..., "stackTrace": [...]}` (the trace is dropped). */
function functionErrorOf(payload: Uint8Array | undefined): { errorType: string; errorMessage: string } {
  try {
    const parsed = JSON.parse(Buffer.from(payload ?? []).toString("utf8")) as Record<string, unknown>;
    return {
      errorType: trimQuoted(typeof parsed.errorType === "string" ? parsed.errorType : "Error", 80),
      errorMessage: trimQuoted(typeof parsed.errorMessage === "string" ? parsed.errorMessage : ""),
    };
  } catch {
    return { errorType: "Error", errorMessage: "" };
  }
}
