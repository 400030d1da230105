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
        const path = [command.parent?.name(), command.name()].join(" ");
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
        const args = [...(command.parent?.parent ? [command.parent.name()] : []), command.name(), "--help"];
        assert.equal(await runCli(args, d), 0, args.join(" "));
        for (const sub of command.commands) {
          const line = d.stdout.text.split("\n").find((l) => l.trimStart().startsWith(`${sub.name()} `));
          assert.ok(line, `${args.join(" ")} does not list ${sub.name()}:\n${d.stdout.text}`);
          assert.ok(line.includes(sub.description().slice(0, 20)), `${args.join(" ")}: ${line}`);
        }
      }
    }
  });
});
