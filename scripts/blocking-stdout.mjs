// Loaded into every test process (run-tests.mjs). Each test file runs in a child process that reports to the
// runner over its stdout, a pipe; with --test-force-exit the child calls process.exit() as soon as its last test
// ends, and on Linux a non-blocking pipe loses whatever was still buffered: verdicts vanish from the report while
// the run still passes (nodejs/node#64833; one CI run here reported 485 of 496 unit tests). A blocking pipe write
// is finished before the next line runs, so nothing is left to lose. `_handle.setBlocking` is what Node itself
// uses for a TTY; where the handle has none (Windows pipes are blocking already), nothing changes.
const handle = process.stdout._handle;
if (handle && typeof handle.setBlocking === "function") handle.setBlocking(true);
