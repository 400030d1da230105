import { createInterface } from "node:readline/promises";
import password from "@inquirer/password";
import type { Prompter } from "./context.js";

/** Prompts on the terminal, writing to stderr so stdout carries only data. */
export function terminalPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  return {
    // mask: false shows nothing per keystroke; toggleMask: false removes the Ctrl+T "reveal" key.
    secret: (message) => password({ message, mask: false, toggleMask: false }, { input, output }),
    ask: async (message) => {
      const readline = createInterface({ input, output });
      try {
        return await readline.question(message);
      } finally {
        readline.close();
      }
    },
  };
}
