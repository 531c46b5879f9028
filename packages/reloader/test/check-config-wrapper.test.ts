// `haproxy -c` gives its verdict when the binary exits, and ends at its timeout, even when `--haproxy-bin`
// is a wrapper script whose child holds the output pipe (an entrypoint script, a forgotten `exec`, a logger
// left in the background): until 2026-12-05 the check waited for that child (execa reads the pipes to their
// end), so a wrapper leaving a 40 s child made every check wait 40 s, past its timeout (`stopped`, no
// verdict, though the binary had answered), and one around a hung binary ran as long as the binary hung.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { checkConfig } from "../src/haproxy/check-config.ts";
import { childOf, sleeps, wrapperScripts } from "./helpers/wrapper-scripts.ts";

const scripts = wrapperScripts("rh-check-wrapper-");
// Whatever a wrapper left behind is ended even when an assertion fails.
after(() => scripts.cleanUp());

const VALID = [
  "defaults",
  "  mode http",
  "  timeout connect 1s",
  "  timeout client 1s",
  "  timeout server 1s",
  "backend web",
  "  server s1 127.0.0.1:1",
  "",
].join("\n");

// (The 20 s timeout only witnesses the old wait: the child lives 40 s, so the old check ended `stopped`.)
test("a wrapper that leaves a child in the background gives the verdicts of the haproxy it execs", async () => {
  const { bin, pids } = await scripts.wrapper(
    "background",
    'sleep 40 &\necho $! > "$PIDS"\nexec haproxy "$@"',
  );
  const good = await checkConfig(bin, [await scripts.file("good.cfg", VALID)], 20_000);
  assert.equal(good.stopped, null);
  assert.equal(good.spawnError, null);
  assert.equal(good.exitCode, 0, good.output);
  assert.equal(good.ok, true);
  assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");

  const broken = `${VALID}  no-such-keyword here\n`;
  const bad = await checkConfig(bin, [await scripts.file("bad.cfg", broken)], 20_000);
  assert.equal(bad.stopped, null);
  assert.equal(bad.ok, false);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.output, /no-such-keyword/);
  assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");
});

// (The test's timeout only stops a hang of the old check, which waited for the hung child to exit.)
test(
  "a wrapper around a binary that hangs ends at the check's timeout, its child with it",
  { timeout: 60_000 },
  async () => {
    const { bin, pids } = await scripts.wrapper("hang", 'sleep 600 &\necho $! > "$PIDS"\nwait');
    const check = await checkConfig(bin, [await scripts.file("hang.cfg", VALID)], 500);
    assert.equal(check.ok, false);
    assert.equal(check.stopped, "haproxy -c timed out after 500 ms");
    assert.equal(check.spawnError, null);
    assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");
  },
);
