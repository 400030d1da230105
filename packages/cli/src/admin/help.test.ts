import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram, type CliDependencies, runCli } from "../program.js";
import { inputOf, MemoryOutput, ScriptedPrompter } from "../testing/memory-io.js";

function deps(): CliDependencies & { stdout: MemoryOutput; stderr: MemoryOutput } {
  return {
    stdout: new MemoryOutput(),
    stderr: new MemoryOutput(),
    stdin: inputOf(""),
    isTTY: false,
    prompt: new ScriptedPrompter([]),
    env: {},
    version: "0.1.0",
    connect: async () => assert.fail("no connection for --help"),
    loadServer: async () => assert.fail("no server for --help"),
  };
}

function* commandsUnder(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* commandsUnder(sub);
}

/** `["admin", "role", "policy"]`: the words that reach a command from `coffer`. */
function pathOf(command: Command): string[] {
  const words: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) words.unshift(at.name());
  return words;
}

describe("help of coffer admin, access and policy", () => {
  const program = buildProgram(deps(), () => {});
  const roots = ["admin", "access", "policy"].map((name) => {
    const root = program.commands.find((c) => c.name() === name);
    assert.ok(root, name);
    return root;
  });

  it("every subcommand, argument and option has a description", () => {
    let checked = 0;
    for (const root of roots) {
      for (const command of commandsUnder(root)) {
        const path = pathOf(command).join(" ");
        assert.notEqual(command.description(), "", `${path} has no description`);
        for (const argument of command.registeredArguments) {
          assert.notEqual(argument.description, "", `${path} <${argument.name()}> has no description`);
        }
        for (const option of command.options) {
          assert.notEqual(option.description, "", `${path} ${option.flags} has no description`);
        }
        checked += 1;
      }
    }
    assert.ok(checked >= 20, `only ${checked} commands`);
  });

  it("--help lists each subcommand with its description", async () => {
    for (const root of roots) {
      for (const command of commandsUnder(root)) {
        if (command.commands.length === 0) continue;
        const d = deps();
        const args = [...pathOf(command), "--help"];
        assert.equal(await runCli(args, d), 0, args.join(" "));
        for (const sub of command.commands) {
          // A command's line is indented by two spaces; a wrapped description's lines, deeper.
          const line = d.stdout.text.split("\n").find((l) => l.startsWith(`  ${sub.name()} `));
          assert.ok(line, `${args.join(" ")} does not list ${sub.name()}:\n${d.stdout.text}`);
          assert.ok(line.includes(sub.description().slice(0, 20)), `${args.join(" ")}: ${line}`);
        }
      }
    }
  });

  it("has the role and OIDC provider commands, with their options", () => {
    const byPath = new Map<string, Command>();
    for (const root of roots)
      for (const command of commandsUnder(root)) byPath.set(pathOf(command).join(" "), command);
    const expected: Record<string, string[]> = {
      "admin role create": ["--trust-policy", "--max-session-duration", "--description", "--tag"],
      "admin role list": ["--json"],
      "admin role get": ["--json"],
      "admin role delete": [],
      "admin role update": ["--max-session-duration", "--description", "--trust-policy"],
      "admin role policy put": ["--file"],
      "admin role policy get": [],
      "admin role policy delete": [],
      "admin role policy list": [],
      "admin oidc-provider add": ["--issuer", "--audience", "--jwks-file", "--jwks-url"],
      "admin oidc-provider list": ["--json"],
      "admin oidc-provider get": ["--json"],
      "admin oidc-provider update": ["--audience", "--jwks-file", "--jwks-url", "--discovery"],
      "admin oidc-provider remove": [],
    };
    for (const [path, options] of Object.entries(expected)) {
      const command = byPath.get(path);
      assert.ok(command, `no ${path}`);
      assert.deepEqual(
        command.options.map((o) => o.long),
        options,
        path,
      );
    }
  });
});
