import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Only `send` is used, so tests can hand commands a fake that records what was sent. */
export type SecretsClient = Pick<SecretsManagerClient, "send">;

/** The part of a Node writable stream commands need; tests pass an in-memory sink. */
export interface Output {
  write(chunk: string | Uint8Array): unknown;
}

export type Input = AsyncIterable<string | Uint8Array>;

/** Asks the person at the terminal; prompts go to stderr so stdout stays clean for data. */
export interface Prompter {
  /** Reads a line without echoing it. */
  secret(message: string): Promise<string>;
  /** Reads a visible line, for confirmations. */
  ask(message: string): Promise<string>;
}

export interface CommandContext {
  client: SecretsClient;
  /** Data: the only place a secret value may ever be written, and only by `get`. */
  stdout: Output;
  /** Messages, warnings, errors. */
  stderr: Output;
}

export interface InteractiveContext {
  stdin: Input;
  /** Whether stdin is a terminal, so a person can be prompted. */
  isTTY: boolean;
  prompt: Prompter;
}
