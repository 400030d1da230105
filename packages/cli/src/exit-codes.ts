/**
 * Exit codes are part of the command-line contract: scripts branch on them, so a number never changes
 * meaning once released. `--help` prints {@link EXIT_CODES_HELP}, which is built from the same table.
 */
export const ExitCode = {
  Ok: 0,
  Usage: 1,
  NotFound: 2,
  AccessDenied: 3,
  Unreachable: 4,
  ServiceError: 5,
  AuditTampered: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const meanings: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.Ok, "success"],
  [ExitCode.Usage, "bad usage or configuration; a --field the secret lacks; a cancelled prompt"],
  [ExitCode.NotFound, "secret not found (ResourceNotFoundException)"],
  [ExitCode.AccessDenied, "access denied, bad signature, unknown access key, or no credentials"],
  [
    ExitCode.Unreachable,
    "cannot reach Coffer (connection refused, host not found, time-out, TLS failure, or not a Coffer endpoint)",
  ],
  [ExitCode.ServiceError, 'any other error; service errors print as "<AwsErrorName>: <message>"'],
  [
    ExitCode.AuditTampered,
    "coffer audit verify found the audit trail modified, with events deleted, inserted or reordered",
  ],
];

export const EXIT_CODES_HELP = [
  "Exit codes:",
  ...meanings.map(([code, meaning]) => `  ${code}  ${meaning}`),
].join("\n");
