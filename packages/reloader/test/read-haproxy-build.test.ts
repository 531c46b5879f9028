// `haproxy -vv`, read at start with a --config, is bounded by its timeout and ends with the binary even when
// `--haproxy-bin` is a wrapper script whose child holds the output pipe: until 2026-12-05 the read waited
// for that child (execa reads the pipe to its end), so a wrapper that left something in the background made
// the build unread (`timed out`) after that child's whole life, and one around a hung binary held the
// start past the timeout for as long as the binary hung.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readHaproxyBuild } from "../src/sources/read-haproxy-build.ts";
import { childOf, sleeps, wrapperScripts } from "./helpers/wrapper-scripts.ts";

const scripts = wrapperScripts("rh-vv-");
// Whatever a wrapper left behind is ended even when an assertion fails.
after(() => scripts.cleanUp());

test("a wrapper that leaves a child in the background still gives the build of the haproxy it execs", async () => {
  // The child holds the output pipe for 40 s; haproxy -vv answers and exits at once.
  const { bin, pids } = await scripts.wrapper(
    "background",
    'sleep 40 &\necho $! > "$PIDS"\nexec haproxy "$@"',
  );
  const read = await readHaproxyBuild(bin);
  assert.ok(read.ok, read.ok ? "" : read.reason);
  assert.match(read.build.version ?? "", /^2\.6\./);
  assert.match(read.build.features ?? "", /[+-]OPENSSL\b/);
  // The child went with the binary's process group.
  const child = await childOf(pids);
  assert.equal(await sleeps(child), false, `the wrapper's child ${child} still runs`);
});

// (The test's timeout only stops a hang of the old read, which waited for the hung child to exit.)
test(
  "a wrapper around a binary that hangs ends at the timeout, its child with it",
  { timeout: 60_000 },
  async () => {
    const { bin, pids } = await scripts.wrapper("hang", 'sleep 600 &\necho $! > "$PIDS"\nwait');
    const read = await readHaproxyBuild(bin, 500);
    assert.equal(read.ok, false);
    assert.match(read.ok ? "" : read.reason, /timed out after 500 milliseconds/);
    const child = await childOf(pids);
    assert.equal(await sleeps(child), false, `the wrapper's child ${child} still runs`);
  },
);
