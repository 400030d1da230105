import type { Output } from "../context.js";
import type { AdminCall } from "./admin-client.js";

export interface AdminContext {
  admin: AdminCall;
  stdout: Output;
  stderr: Output;
}

/** Admin API timestamps are epoch seconds, as in the AWS JSON protocol. */
export function dateOf(value: unknown): Date | undefined {
  return typeof value === "number" ? new Date(value * 1000) : undefined;
}
