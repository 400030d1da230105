import { type ChildProcess, type IOType, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Output } from "../context.js";
import { maskingStream, writeInto } from "./masking-stream.js";

/** Shell conventions for a command that could not be started. */
export const CHILD_NOT_FOUND = 127;
export const CHILD_NOT_EXECUTABLE = 126;

/** Signals `coffer run` passes on to the child instead of dying from them. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const satisfies readonly NodeJS.Signals[];

/** Where signals come from: the process, or an emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** A file descriptor, or what `spawn` accepts instead of one. */
export type InheritedStdio = number | Extract<IOType, "inherit" | "ignore">;

export interface ChildSpec {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

export interface ChildIo {
  /** Values to mask in the child's stdout and stderr; undefined passes them straight through. */
  mask: readonly string[] | undefined;
  /** Where masked output goes. */
  stdout: Output;
  stderr: Output;
  /** Messages of our own (a command that cannot be started). */
  messages: Output;
  /** The child's stdin, and its stdout and stderr when not masked: ours by default. */
  inherit?: readonly [InheritedStdio, InheritedStdio, InheritedStdio];
  signals?: SignalSource;
}

/**
 * Runs the command without a shell and resolves to the exit code `coffer run` should end with: the
 * child's, or 128 + the signal number if a signal killed it. SIGINT, SIGTERM and SIGHUP sent to us
 * while it runs are passed to it (Ctrl+C in a terminal reaches both: the child sees SIGINT twice).
 */
export async function runChild(spec: ChildSpec, io: ChildIo): Promise<number> {
  const [stdin, stdout, stderr] = io.inherit ?? ["inherit", "inherit", "inherit"];
  const masked = io.mask !== undefined;
  const child = spawn(spec.command, [...spec.args], {
    env: spec.env,
    stdio: masked ? [stdin, "pipe", "pipe"] : [stdin, stdout, stderr],
    shell: false,
  });

  const signals = io.signals ?? process;
  const forwarders = FORWARDED_SIGNALS.map((signal) => {
    const forward = () => {
      child.kill(signal);
    };
    signals.on(signal, forward);
    return () => signals.off(signal, forward);
  });
  try {
    const copies =
      masked && child.stdout && child.stderr
        ? [
            copyMasked(child.stdout, io.mask ?? [], io.stdout),
            copyMasked(child.stderr, io.mask ?? [], io.stderr),
          ]
        : [];
    const outcome = await exitOf(child);
    await Promise.all(copies);
    if ("error" in outcome) return reportSpawnFailure(spec.command, outcome.error, io.messages);
    return outcome.code ?? 128 + signalNumber(outcome.signal);
  } finally {
    for (const stopForwarding of forwarders) stopForwarding();
  }
}

type Outcome = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

function exitOf(child: ChildProcess): Promise<Outcome> {
  return new Promise((resolve) => {
    // "error" alone when the command cannot be started; "close" once it has exited and its pipes are drained.
    child.once("error", (error) => resolve({ error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

async function copyMasked(source: Readable, values: readonly string[], destination: Output): Promise<void> {
  await pipeline(source, maskingStream(values), writeInto(destination));
}

function reportSpawnFailure(command: string, error: Error, messages: Output): number {
  const code = "code" in error ? error.code : undefined;
  if (code === "ENOENT") {
    messages.write(`error: command not found: ${command}\n`);
    return CHILD_NOT_FOUND;
  }
  messages.write(`error: cannot run ${command}: ${typeof code === "string" ? code : error.message}\n`);
  return CHILD_NOT_EXECUTABLE;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : (constants.signals[signal] ?? 0);
}
