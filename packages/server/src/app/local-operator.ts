import { userInfo } from "node:os";

/** The OS user running this process: the `LocalOperator` of events recorded at the data folder. */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}
