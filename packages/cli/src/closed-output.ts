/**
 * `coffer … | head` closes the pipe before the CLI has written everything: the next write fails with
 * EPIPE. Like git or ls, stop quietly then, instead of crashing with an unhandled 'error' event.
 */
export function exitQuietlyWhenOutputCloses(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw error;
  });
}
