import type { SecretsClient } from "../context.js";

/** One command the fake client received: its class name (e.g. "CreateSecretCommand") and input. */
export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/** Returns the canned response for a command, or throws to play a service error. */
export type Responder = (name: string, input: Record<string, unknown>, callIndex: number) => unknown;

export interface FakeClient {
  client: SecretsClient;
  sent: SentCommand[];
}

/** A stand-in for SecretsManagerClient that records every command and answers from `respond`. */
export function fakeClient(respond: Responder = () => ({})): FakeClient {
  const sent: SentCommand[] = [];
  const send = async (command: { input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    sent.push({ name, input: command.input });
    return respond(name, command.input, sent.length - 1);
  };
  // The real `send` has several overloads; this fake implements the promise-returning one used here.
  return { client: { send } as unknown as SecretsClient, sent };
}

/** An error shaped like the SDK's service exceptions: `name` is the AWS error code. */
export function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: "client",
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });
}
