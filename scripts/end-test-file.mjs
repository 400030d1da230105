// Preloaded (`--import`) by scripts/test.mjs into the runner, which hands it on to each test
// file's process. Once a file's tests have all finished, a test that timed out may still hold the
// process open (a child process, a socket, a wait that never ends): from Node 22 on the runner ends
// only the test, not its file, so the run would never finish. This ends such a file a little
// later. The timer is unref'd: a file that ends by itself is not held back.
//
// It replaces `--test-force-exit`, which loses test results silently when files run concurrently
// (the parent exits before reading what its children wrote: nodejs/node#64833).
const graceMs = 2000;
const isTestFile = /\.test\.m?js$/.test(process.argv[1] ?? "");
// Only a test file the runner started: not the runner itself, nor a program a test spawns.
if (isTestFile && process.env.NODE_TEST_CONTEXT?.startsWith("child")) {
  const { after } = await import("node:test");
  after(() => {
    setTimeout(() => process.exit(), graceMs).unref();
  });
}
