import type { CommandContext, InteractiveContext } from "../context.js";
import { fakeClient, type Responder, type SentCommand } from "./fake-client.js";
import { inputOf, MemoryOutput, ScriptedPrompter } from "./memory-io.js";

export interface TestContextOptions {
  respond?: Responder;
  stdin?: string;
  isTTY?: boolean;
  answers?: string[];
}

export interface TestContext {
  context: CommandContext & InteractiveContext;
  sent: SentCommand[];
  stdout: MemoryOutput;
  stderr: MemoryOutput;
  prompter: ScriptedPrompter;
}

/** A command context with a recording fake client, in-memory streams and scripted prompt answers. */
export function testContext(options: TestContextOptions = {}): TestContext {
  const { client, sent } = fakeClient(options.respond);
  const stdout = new MemoryOutput();
  const stderr = new MemoryOutput();
  const prompter = new ScriptedPrompter([...(options.answers ?? [])]);
  const context = {
    client,
    stdout,
    stderr,
    stdin: inputOf(options.stdin ?? ""),
    isTTY: options.isTTY ?? false,
    prompt: prompter,
  };
  return { context, sent, stdout, stderr, prompter };
}
