// A reload held while MAX_OLD_WORKERS old workers hold connections (reload/old-workers-cap.ts) ends once
// one of them ends, which `hard-stop-after` bounds. The rendered base config always sets it
// (--hard-stop-after); a user's --config may not (packages/reloader/README.md "Your own base config"),
// and then the hold lasts as long as the old workers' connections, with /healthz 200 "applying" all
// the while. Its reason said "(hard-stop-after bounds the wait)" there too, a bound that was not there:
// now it says the config sets none, and how to set one. The hold itself is unchanged. A --config whose
// last hard-stop-after is 0 sets none either (HAProxy reads each line in turn, and 0 as unset).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { metricValue, readStatus, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { checkConfig } from "../src/haproxy/check-config.ts";
import { environmentOf } from "../src/model/config-read-words.ts";
import { hardStopAfterOf } from "../src/model/hard-stop-after.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { createFixture } from "./helpers/fixture.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";
import { userConfigLines } from "./helpers/user-config.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

test(`a reload held at ${MAX_OLD_WORKERS} old workers under a --config without hard-stop-after says that nothing bounds the wait`, async (t) => {
  await heldWithoutBound(t, []);
});

// HAProxy parses each hard-stop-after line, so the last counts, and a time of 0 leaves it unset: the old
// workers stack up although a 1ms bound comes first (with it, each would be cut at once and the 20 never
// be reached), and the reason says none is set (it named the first line: "hard-stop-after 1ms bounds").
test(`a reload held at ${MAX_OLD_WORKERS} old workers under a --config whose last hard-stop-after is 0 says that nothing bounds the wait`, async (t) => {
  await heldWithoutBound(t, ["    hard-stop-after 1ms", "    hard-stop-after 0"]);
});

// HAProxy skips a branch under `.if defined(X)` when its environment, the reloader's, has no X: the old
// workers stack up although the branch's bound would cut them at once, and the reason says none is set
// (until 2026-12-05 it named the skipped line: "hard-stop-after 1ms bounds the wait").
test(`a reload held at ${MAX_OLD_WORKERS} old workers under a --config whose hard-stop-after is under .if defined(X), X unset, says that nothing bounds the wait`, async (t) => {
  assert.equal(process.env["RH_TEST_HARD_STOP"], undefined);
  await heldWithoutBound(t, [".if defined(RH_TEST_HARD_STOP)", "    hard-stop-after 1ms", ".endif"]);
});

// Stack MAX_OLD_WORKERS old workers under a --config with `globalLines` added to its global section
// (none of which sets a bound), hold a change, check both reasons, then release it with one ended stream.
async function heldWithoutBound(t: TestContext, globalLines: readonly string[]): Promise<void> {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), { ...alphaOnly, deferStart: true });
  const userConfig = `${fixture.dir}/my-haproxy.cfg`;
  const lines = userConfigLines(fixture.httpPort, [], []);
  lines.splice(lines.indexOf("global") + 1, 0, ...globalLines);
  await writeFile(userConfig, lines.join("\n"));
  await fixture.start(["--config", userConfig, "--rescan-interval", "0", "--status-port", "0"]);
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const { streams, full } = await stackOldWorkers(t, fixture, MAX_OLD_WORKERS, [
    alphaOnly,
    withBetaNoted("# with beta"),
  ]);

  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, withBetaNoted("# held"));
  await waitFor(
    async () =>
      fixture.reloader.count("reload.held") > 0 || (await reloadCounter(fixture)).reloads > full.reloads,
    { message: "reload.held or a reload" },
  );
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads, "held: no reload");
  const held = fixture.reloader.logs.slice(from).find((line) => line.event === "reload.held");
  const said = /sets no hard-stop-after to cut them \(add one to its global section\)$/;
  assert.match(String(held?.["reason"]), said);
  assert.doesNotMatch(String(held?.["reason"]), /bounds the wait/);
  // /healthz: still 200 "applying" (the hold is unchanged), its reason saying why it may last.
  const health = await readStatus(url, "/healthz");
  assert.equal(health.status, 200, health.body);
  const body = JSON.parse(health.body) as { status: string; reason: string };
  assert.equal(body.status, "applying");
  assert.match(
    body.reason,
    /^20 old HAProxy workers still finish their connections .*the base config \(--config\) sets no hard-stop-after/,
  );
  assert.doesNotMatch(body.reason, /bounds the wait/);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_reload_held"), 1);

  // One stream ends, so does its worker: the held change goes live in one reload, as with the rendered config.
  streams.shift()?.close();
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "beta.dev.tld" })).status === 200, {
    timeoutMs: 15_000,
    message: "beta routed",
  });
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads + 1, "one reload");
  await waitFor(() => fixture.reloader.count("reload.released") > 0, { message: "reload.released" });
}

// The defaults section the configs below need to pass haproxy -c.
const DEFAULTS =
  "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n";

// Each `global` of `cases` with `rest` after it passes the real haproxy -c (so a --config can hold it),
// and hardStopAfterOf reads `expected` from it, as text and as bytes; the path of the file the configs
// were written to (in a directory removed after the test).
async function readAsHAProxy(
  t: TestContext,
  rest: string,
  cases: readonly (readonly [string, string | null])[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-hard-stop-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "haproxy.cfg");
  for (const [global, expected] of cases) {
    const label = global.length > 200 ? global.slice(0, 40) : JSON.stringify(global);
    await writeFile(path, global + rest);
    const check = await checkConfig("haproxy", [path]);
    assert.equal(check.ok, true, `${label}:\n${check.output}`);
    assert.equal(hardStopAfterOf(global + rest), expected, label);
    assert.equal(hardStopAfterOf(Buffer.from(global + rest)), expected, label);
  }
  return path;
}

test("the hard-stop-after a base config sets is read as HAProxy reads it: the last line counts, comments left out, 0 is none", async (t) => {
  // Each config passes the real haproxy -c, so every form below is one a --config can hold.
  const rest = [
    "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n",
    "frontend f\n    bind 127.0.0.1:1\n    http-request return status 200\n",
  ].join("");
  const cases: [string, string | null][] = [
    ["global\n    maxconn 100\n    hard-stop-after 30000ms\n", "30000ms"],
    ["global\n\thard-stop-after\t5m # cut old workers\n", "5m"],
    ["global\r\n    hard-stop-after 45\r\n", "45"],
    ['global\n    hard-stop-after "30s"\n', "30s"],
    ["global\n    # hard-stop-after 30s\n    maxconn 100\n", null],
    ["global\n    default-path config\n", null],
    // Set twice: HAProxy keeps the last one.
    ["global\n    hard-stop-after 1h\n    hard-stop-after 30s\n", "30s"],
    ["global\n    hard-stop-after 30s\nglobal\n    hard-stop-after 2m\n", "2m"],
    // A time of 0 leaves it unset in HAProxy (no hard stop is scheduled): no bound, however written.
    ["global\n    hard-stop-after 0\n", null],
    ["global\n    hard-stop-after 0s\n", null],
    ["global\n    hard-stop-after 30s\n    hard-stop-after 000ms\n", null],
    ["global\n    hard-stop-after 0\n    hard-stop-after 10s\n", "10s"],
  ];
  await readAsHAProxy(t, rest, cases);
});

// A `.if` branch HAProxy skips sets nothing: `.if 0` around a line is a way to switch it off, and the
// reason named a bound HAProxy never had. A condition on the environment is not decided here.
test("a hard-stop-after in a .if branch HAProxy skips is not read; a quoted keyword is", async (t) => {
  const cases: [string, string | null][] = [
    ["global\n.if 0\n    hard-stop-after 30s\n.endif\n", null],
    ["global\n    hard-stop-after 30s\n  .if 0 # off\n    hard-stop-after 0\n  .endif\n", "30s"],
    ['global\n.if ""\n    hard-stop-after 30s\n.endif\n', null],
    ["global\n.if 1\n    hard-stop-after 30s\n.else\n    hard-stop-after 1h\n.endif\n", "30s"],
    ["global\n.if 0\n    hard-stop-after 30s\n.elif 1\n    hard-stop-after 2m\n.endif\n", "2m"],
    ["global\n.if 0\n.if 1\n    hard-stop-after 30s\n.endif\n.endif\n", null],
    ["global\n.if !0 && (0 || 2)\n    hard-stop-after 30s\n.endif\n", "30s"],
    ["global\n.if 0 && defined(RH_NEVER_SET)\n    hard-stop-after 30s\n.endif\n", null],
    ["global\n.if 1\n.elif 1\n    hard-stop-after 30s\n.else\n    hard-stop-after 1m\n.endif\n", null],
    // HAProxy reads a quoted keyword as the keyword.
    ["global\n    hard-stop-after 30s\n    'hard-stop-after' '0'\n", null],
    ['global\n    "hard-stop-after" 20s\n', "20s"],
  ];
  const path = await readAsHAProxy(t, DEFAULTS, cases);
  // `.if defined(X)` is decided by the names of the environment HAProxy inherits, when given (the
  // reloader's own), as `haproxy -c` decides it with X set (even empty) and unset; not known without them.
  const defined = [
    "global",
    ".if defined(RH_TEST_HARD_STOP)",
    "    hard-stop-after 30s",
    '    .notice "bound set"',
    ".else",
    "    hard-stop-after 0",
    ".endif",
    "",
  ].join("\n");
  await writeFile(path, defined + DEFAULTS);
  const { RH_TEST_HARD_STOP: _unset, ...without } = process.env;
  for (const [environment, expected] of [
    [{ ...without, RH_TEST_HARD_STOP: "" }, "30s"],
    [without, null],
  ] as const) {
    const check = spawnSync("haproxy", ["-c", "-f", path], { env: environment, encoding: "utf8" });
    assert.match(check.stdout + check.stderr, /has no error/); // no listener here: exit 2
    assert.equal(check.stderr.includes("bound set"), expected !== null, check.stderr);
    assert.equal(hardStopAfterOf(defined + DEFAULTS, environmentOf(environment)), expected);
  }
  assert.equal(hardStopAfterOf(defined + DEFAULTS), null); // not known: both branches read, the last is 0
});

// HAProxy takes any run of `!` before a term (its parser counts them) and 340 nested parentheses; the
// reader recursed once per `!`, so a condition HAProxy accepts threw (RangeError: Maximum call stack size
// exceeded) out of a model that must not throw, where a held reload's reason was due.
test("a .if condition of 20 000 `!`s or 340 parentheses, as haproxy -c takes it, is read as HAProxy reads it, without a throw", async (t) => {
  const block = (condition: string) => `global\n.if ${condition}\n    hard-stop-after 30s\n.endif\n`;
  const cases: [string, string | null][] = [
    [block(`${"!".repeat(20_000)}0`), null],
    [block(`${"!".repeat(20_001)}0`), "30s"],
    [block(`${"!!".repeat(10_000)} !1`), null],
    [block(`${"(".repeat(340)}0${")".repeat(340)}`), null],
    [block(`${"(".repeat(340)}!0${")".repeat(340)}`), "30s"],
  ];
  await readAsHAProxy(t, DEFAULTS, cases);
});

// HAProxy reads a condition's number with strtol in base 0 (`+0`, `0x0` are 0, `010` is 8) and takes a
// `.if` or `.elif` with no condition as false; the reader knew only `-?\d+` and read those branches.
test("a .if of no condition, or of a number HAProxy reads as 0 (+0, 0x0), is a branch skipped; 0x1 and 010 are read", async (t) => {
  const block = (condition: string) => `global\n.if ${condition}\n    hard-stop-after 30s\n.endif\n`;
  const cases: [string, string | null][] = [
    ["global\n.if\n    hard-stop-after 30s\n.endif\n", null],
    ["global\n.if # off\n    hard-stop-after 30s\n.endif\n", null],
    ["global\n.if 0\n.elif\n    hard-stop-after 30s\n.else\n    hard-stop-after 2m\n.endif\n", "2m"],
    [block("+0"), null],
    [block("0x0"), null],
    [block("-0X00"), null],
    [block("!0x0 && +00"), null],
    [block("0x1"), "30s"],
    [block("010"), "30s"],
    [block("+1"), "30s"],
  ];
  await readAsHAProxy(t, DEFAULTS, cases);
});

// HAProxy reads hard-stop-after's time with the words of any line (quotes, escapes, `"$T"` from its
// environment); the reader took the time as written (`$RH_TEST_T`, `3"0s"`), so a held reload's reason
// named a bound that was not the one set, or one that was 0 (none).
test('a hard-stop-after written "$T", "${T}", with quoted parts or escapes is read as HAProxy reads it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-hard-stop-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "haproxy.cfg");
  const { RH_TEST_T: _t, RH_TEST_ZERO: _zero, RH_TEST_UNSET: _unset, ...without } = process.env;
  const environment = { ...without, RH_TEST_T: "30s", RH_TEST_ZERO: "0" };
  const cases: [string, string | null][] = [
    ['    hard-stop-after "$RH_TEST_T"', "30s"],
    ['    hard-stop-after "${RH_TEST_T}"', "30s"],
    ['    hard-stop-after 1m "${RH_TEST_T}"', "1m"],
    ['    hard-stop-after 3"0"s', "30s"],
    ["    hard-stop-after \\x33\\x30s", "30s"],
    ['    hard-stop-after 1h\n    hard-stop-after "$RH_TEST_ZERO"', null],
    ['    hard-stop-after 1h\n    hard-stop-after "${RH_TEST_UNSET-0}s"', null],
    ['    hard-stop-after "${RH_TEST_UNSET-2m}"', "2m"],
  ];
  for (const [line, expected] of cases) {
    const config = `global\n${line}\n${DEFAULTS}`;
    await writeFile(path, config);
    const check = spawnSync("haproxy", ["-c", "-f", path], { env: environment, encoding: "utf8" });
    assert.match(check.stdout + check.stderr, /has no error/, line); // no listener here: exit 2
    assert.equal(hardStopAfterOf(config, environmentOf(environment)), expected, line);
  }
  // HAProxy uses the expanded time: one it cannot parse fails the check.
  await writeFile(path, `global\n    hard-stop-after "$RH_TEST_T"\n${DEFAULTS}`);
  const bad = spawnSync("haproxy", ["-c", "-f", path], {
    env: { ...environment, RH_TEST_T: "3x" },
    encoding: "utf8",
  });
  assert.match(bad.stdout + bad.stderr, /hard-stop-after/);
  assert.notEqual(bad.status, 0);
});
