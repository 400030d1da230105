import type { Input, Output, Prompter } from "../context.js";

/** Collects everything written, as text and as raw bytes. */
export class MemoryOutput implements Output {
  readonly chunks: Buffer[] = [];

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
    return true;
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.bytes.toString("utf8");
  }
}

export function inputOf(text: string): Input {
  return (async function* () {
    yield Buffer.from(text);
  })();
}

/** Answers prompts from a script, in order, and records the questions asked. */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];

  constructor(private readonly answers: string[]) {}

  async secret(message: string): Promise<string> {
    return this.next(message);
  }

  async ask(message: string): Promise<string> {
    return this.next(message);
  }

  private next(message: string): string {
    this.asked.push(message);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`unexpected prompt: ${message}`);
    return answer;
  }
}
