// docker-entrypoint.sh when the reloader dies during a stop: it is started again at once and given the
// stop, so that HAProxy still stops gracefully; but at most three times, so a reloader that dies in every
// stop does not loop until the container is killed. A fake reloader (RANCHER_HAPROXY_APP) that exits 3
// (an uncaught error that left HAProxy running) on every SIGTERM stands in for one. Also: a reloader that
// exits on its own while a signal's trap runs a command ends the entrypoint with its own exit code, the
// ignored signals' lines, and the timers' clock (RANCHER_HAPROXY_UPTIME, a file read in place of
// /proc/uptime, moved by the tests) that neither a wall clock moved on nor one set back changes.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  descendants,
  listProcesses,
  readProcess,
  waitFor,
  wrapLoggedChild,
} from "@rancher-haproxy/test-support";
import { ROOT } from "./helpers/deploy-files.ts";
import { ended } from "./helpers/ended.ts";

// The first lines of every fake reloader below: it exits (9) once the entrypoint is gone, so no orphan is
// left (its parent is read before it says it started: a test may kill the entrypoint at that line). Started
// during a stop, it is told so (RELOADER_STOP_UNDER_WAY=SIG<name>, no signal follows) and takes that stop
// as the real reloader does, at its start: its own handler of that signal runs once the script's lines did.
const EXITS_WITH_ENTRYPOINT = `const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(9), 50);
const underWay = process.env.RELOADER_STOP_UNDER_WAY;
if (underWay) setImmediate(() => {
  console.log(JSON.stringify({ event: "fake.stop-under-way", signal: underWay }));
  process.emit(underWay);
});`;

const FAKE_RELOADER = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(3));
console.log(JSON.stringify({ event: "fake.started" }));
`;

// The entrypoint's `haproxy` command on a fake reloader (`source`, run by node), its log lines read;
// `wrapper` runs it (its pid is then the wrapper's).
async function startEntrypoint(
  t: TestContext,
  source: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
  wrapper: readonly string[] = [],
) {
  const app = await mkdtemp(join(tmpdir(), "rh-entry-"));
  t.after(() => rm(app, { recursive: true, force: true }));
  await mkdir(join(app, "reloader", "bin"), { recursive: true });
  await writeFile(join(app, "reloader", "bin", "reloader.js"), source);
  const command = [...wrapper, "sh", join(ROOT, "docker-entrypoint.sh"), "haproxy", ...args];
  const child = spawn(command[0]!, command.slice(1), {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", RANCHER_HAPROXY_APP: app, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const entrypoint = wrapLoggedChild(child, { label: "entrypoint" });
  // The reloaders run in sessions of their own, and a wrapper's child may outlive it: all are killed.
  t.after(() => {
    for (const proc of descendants(entrypoint.pid)) process.kill(proc.pid, "SIGKILL");
    return entrypoint.stop({ signal: "SIGKILL" });
  });
  return entrypoint;
}

test("a reloader that exits 3 in every stop is started again three times, then the entrypoint exits 3", async (t) => {
  const entrypoint = await startEntrypoint(t, FAKE_RELOADER);
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 3, signal: null });
  const died = entrypoint.logs.filter((line) => line.event === "entrypoint.reloader-died");
  assert.deepEqual(
    died.map((line) => [line["exitCode"], line["restartInS"]]),
    [
      [3, 0.1],
      [3, 0.1],
      [3, 0.1],
    ],
  );
  assert.equal(entrypoint.count("fake.started"), 4, "the first reloader and three restarts");
  for (const line of died)
    assert.match(String(line["time"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "an ISO time, as pino's");
});

// A reloader that says what RELOADER_STOP_UNDER_WAY it was started with and which SIGTERMs reach it (a
// real signal's handler is given its name; the stop it takes from the variable, emitted here, none). Started
// before the stop, it dies in it (exit 3); started during it, it takes the stop from the variable and ends
// (exit 0) 0.5 s later, five of the entrypoint's 0.1 s polls for a reloader handling SIGHUP.
const TELLS_UNDER_WAY = `
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(9), 50);
const underWay = process.env.RELOADER_STOP_UNDER_WAY ?? null;
process.on("SIGHUP", () => {});
process.on("SIGTERM", (name) => {
  console.log(JSON.stringify({ event: "fake.stop", signal: name ?? null }));
  if (underWay === null) process.exit(3);
  setTimeout(() => process.exit(0), 500);
});
console.log(JSON.stringify({ event: "fake.started", underWay }));
if (underWay !== null) setImmediate(() => process.emit(underWay));
`;

test("a reloader started again during a stop is told it at its start (RELOADER_STOP_UNDER_WAY), and not sent it again", async (t) => {
  // The container's own value is not the entrypoint's to pass on: the first reloader is told nothing.
  const entrypoint = await startEntrypoint(t, TELLS_UNDER_WAY, { RELOADER_STOP_UNDER_WAY: "SIGINT" });
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  const started = entrypoint.logs.filter((line) => line.event === "fake.started");
  assert.deepEqual(
    started.map((line) => line["underWay"]),
    [null, "SIGTERM"],
  );
  const stops = entrypoint.logs.filter((line) => line.event === "fake.stop");
  assert.deepEqual(
    stops.map((line) => line["signal"]),
    ["SIGTERM", null],
    "the first got the signal, the second only the variable",
  );
});

// A reloader that takes 1.5 s to die on SIGTERM (exit 3), and says what stop budget it was given. Given
// FAKE_STEP, it moves WALL_DATE's clock (below) by that many seconds when it gets the stop.
const SLOW_DYING_RELOADER = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => {
  const step = process.env.FAKE_STEP;
  if (step) void import("node:fs").then(({ writeFileSync }) => writeFileSync(process.env.FAKE_DIR + "/ahead", step));
  setTimeout(() => process.exit(3), 1500);
});
console.log(JSON.stringify({
  event: "fake.started",
  stopTimeout: process.env.RELOADER_STOP_TIMEOUT ?? null,
  args: process.argv.slice(2),
}));
`;

// Stops an entrypoint running the slow-dying reloader with `env` (it restarts it three times, exit 3);
// the stop budget each reloader was started with (RELOADER_STOP_TIMEOUT as it saw it), in order.
async function budgetsOfAStop(t: TestContext, env: Record<string, string>): Promise<unknown[]> {
  const entrypoint = await startEntrypoint(t, SLOW_DYING_RELOADER, env);
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 3, signal: null });
  return entrypoint.logs.filter((line) => line.event === "fake.started").map((line) => line["stopTimeout"]);
}

test("a reloader started again during a stop gets what is left of RELOADER_STOP_TIMEOUT, not a whole budget", async (t) => {
  // Blanks and a leading zero, read as the reloader reads them (trimmed, decimal: 8 s; the shell's
  // arithmetic failed on 08 as an octal number, and each restart got the whole budget again).
  const budgets = await budgetsOfAStop(t, { RELOADER_STOP_TIMEOUT: " 08s " });
  assert.equal(budgets[0], " 08s ", "the first reloader: the container's budget");
  const left = budgets.slice(1).map((value) => Number(/^(\d+)ms$/.exec(String(value))?.[1]));
  assert.equal(left.length, 3, `three restarts: ${JSON.stringify(budgets)}`);
  // Each restart comes ≈ 1.6 s after the one before (1.5 s to die, 0.1 s pause): ≈ 6.4, 4.8, 3.2 s left.
  left.forEach((ms, index) => {
    assert.ok(ms >= 1000 && ms <= 8000 - 1500 * (index + 1), `restart ${index + 1}: ${ms} ms left`);
  });
  assert.ok(left[0]! > left[1]! && left[1]! >= left[2]!, `decreasing: ${left.join(", ")}`);
});

// Neither given (or blanks only, unset for the reloader): the budget is the reloader's default, 30 s, and
// the restarts get what is left of it; each got a whole 30 s again (up to four budgets in one stop).
for (const [how, env] of [
  ["unset", {}],
  ["of blanks only", { RELOADER_STOP_TIMEOUT: " " }],
] as const) {
  test(`with RELOADER_STOP_TIMEOUT ${how}, a reloader started again during a stop gets what is left of the default 30 s`, async (t) => {
    const budgets = await budgetsOfAStop(t, env);
    assert.equal(budgets.length, 4, `the first reloader and three restarts: ${JSON.stringify(budgets)}`);
    budgets.slice(1).forEach((value, index) => {
      const ms = Number(/^(\d+)ms$/.exec(String(value))?.[1]);
      assert.ok(ms >= 1000 && ms <= 30_000 - 1500 * (index + 1), `restart ${index + 1}: ${String(value)}`);
    });
  });
}

for (const form of ["--stop-timeout 6s", "--stop-timeout=6s"]) {
  test(`a --stop-timeout flag (${form}) is given what is left too, in place, the other arguments unchanged`, async (t) => {
    const flag = form.split(" ");
    const rest = ["--config", "/tmp/a dir/with spaces.cfg", "--stop-timeout-note", "x"];
    const entrypoint = await startEntrypoint(t, SLOW_DYING_RELOADER, { RELOADER_STOP_TIMEOUT: "60s" }, [
      rest[0]!,
      rest[1]!,
      ...flag,
      rest[2]!,
      rest[3]!,
    ]);
    await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
    process.kill(entrypoint.pid, "SIGTERM");
    assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 3, signal: null });
    const started = entrypoint.logs.filter((line) => line.event === "fake.started");
    assert.equal(started.length, 4, "the first reloader and three restarts");
    assert.deepEqual(
      started[0]?.["args"],
      [rest[0], rest[1], ...flag, rest[2], rest[3]],
      "the first: as given",
    );
    const left = started.slice(1).map((line) => {
      const args = line["args"] as string[];
      const value = form.includes("=") ? args[2]?.replace("--stop-timeout=", "") : args[3];
      const expected = form.includes("=")
        ? [rest[0], rest[1], `--stop-timeout=${value}`, rest[2], rest[3]]
        : [rest[0], rest[1], "--stop-timeout", value, rest[2], rest[3]];
      assert.deepEqual(args, expected, "only the flag's value changes");
      assert.equal(line["stopTimeout"], value, "the variable says the same");
      return Number(/^(\d+)ms$/.exec(String(value))?.[1]);
    });
    // The flag's 6 s, not the variable's 60 s: ≈ 4.4, 2.8, 1.2 s left.
    left.forEach((ms, index) => {
      assert.ok(ms >= 1000 && ms <= 6000 - 1500 * (index + 1), `restart ${index + 1}: ${ms} ms left`);
    });
  });
}

// A stand-in \`date\` whose clock runs ahead by the seconds in $FAKE_DIR/ahead (behind if negative), once
// written: the wall clock moved on or set back (an NTP step, a clock set by hand).
const WALL_DATE = `#!/bin/sh
[ -e "$FAKE_DIR/ahead" ] && exec /bin/date -d "$(cat "$FAKE_DIR/ahead") seconds" "$@"
exec /bin/date "$@"
`;

// A temp dir ($FAKE_DIR) whose bin/ holds the stand-in commands `commands` (name: script), and the
// environment that gives the entrypoint that dir and puts them first on its PATH.
async function standIns(t: TestContext, commands: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), "rh-entry-fake-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "bin"));
  for (const [name, script] of Object.entries(commands))
    await writeFile(join(dir, "bin", name), script, { mode: 0o755 });
  const env = { FAKE_DIR: dir, PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? "/usr/bin:/bin"}` };
  return { dir, env };
}

for (const [how, step] of [
  ["set back", "-3600"],
  ["moved on", "3600"],
] as const) {
  test(`a wall clock ${how} an hour during a stop neither stretches nor cuts short the budget of a reloader started again`, async (t) => {
    // The entrypoint timed the stop by \`date\`, the wall clock: set back an hour (an NTP step) once the
    // stop began, a restart was given an hour on top of its budget (HAProxy killed by the container's
    // SIGKILL mid-drain); moved on an hour, 1 s (connections cut 1 s into a drain of a minute).
    const { env } = await standIns(t, { date: WALL_DATE });
    const budgets = await budgetsOfAStop(t, { ...env, FAKE_STEP: step, RELOADER_STOP_TIMEOUT: "60s" });
    const left = budgets.slice(1).map((value) => Number(/^(\d+)ms$/.exec(String(value))?.[1]));
    assert.equal(left.length, 3, `three restarts: ${JSON.stringify(budgets)}`);
    // Each restart comes ≈ 1.6 s after the one before: ≈ 58.4, 56.8, 55.2 s left.
    left.forEach((ms, index) => {
      assert.ok(ms > 1000 && ms <= 60_000 - 1500 * (index + 1), `restart ${index + 1}: ${ms} ms left`);
    });
    assert.ok(left[0]! > left[1]! && left[1]! > left[2]!, `decreasing: ${left.join(", ")}`);
  });
}

// A reloader that exits 2 on its own once the stand-in `date` (below) runs, and says where it is.
const EXITS_WHILE_DATE_RUNS = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
void import("node:fs").then(({ existsSync, writeFileSync }) => {
  const dir = process.env.FAKE_DIR;
  writeFileSync(dir + "/reloader.pid", String(process.pid));
  console.log(JSON.stringify({ event: "fake.started" }));
  setInterval(() => existsSync(dir + "/date-started") && process.exit(2), 20);
});
`;

// A stand-in `date` that, once armed, holds the command it runs in until the reloader has exited: a
// zombie whose other threads are gone too (until then its parent cannot collect it), and a moment more.
const HOLDING_DATE = `#!/bin/sh
pid=$(cat "$FAKE_DIR/reloader.pid" 2>/dev/null)
if [ -e "$FAKE_DIR/armed" ] && [ -n "$pid" ] && [ -e "/proc/$pid" ]; then
  : > "$FAKE_DIR/date-started"
  while state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null) && [ -n "$state" ] &&
    { [ "\${state%"\${state#?}"}" != Z ] || [ "$(ls "/proc/$pid/task" | wc -l)" -gt 1 ]; }; do
    sleep 0.02
  done
  sleep 0.1
fi
exec /bin/date "$@"
`;

test("a reloader that exits while a trap runs a command ends the entrypoint with its own code, not a restart", async (t) => {
  // SIGUSR1 is logged with a time `date` gives; the reloader exits meanwhile, and the shell
  // collects it while it waits for `date`. The status was then read as "killed by SIGUSR1" (138) and
  // the reloader started again: its exit 2 (or 1, or 0) was lost.
  const { dir, entrypoint } = await startWithStandIns(t, {
    date: HOLDING_DATE,
    reloader: EXITS_WHILE_DATE_RUNS,
  });
  await writeFile(join(dir, "armed"), "");
  process.kill(entrypoint.pid, "SIGUSR1");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 2, signal: null });
  assert.equal(entrypoint.count("entrypoint.signal-ignored"), 1, "the trap ran");
  assert.deepEqual(
    entrypoint.logs.filter((line) => line.event === "entrypoint.reloader-died"),
    [],
    "not taken for a reloader killed by a signal",
  );
  assert.equal(entrypoint.count("fake.started"), 1, "never started again");
});

// A reloader that stops (exit 0) on SIGTERM, and exits when the entrypoint is gone (no orphan is left).
const STOPPING_RELOADER = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(0));
console.log(JSON.stringify({ event: "fake.started" }));
`;

// The entrypoint with `reloader` (STOPPING_RELOADER unless given), the stand-in \`date\` and \`sleep\`
// scripts `date` and `sleep` first on its PATH when given and, with `clock`, its timers' clock read from
// $FAKE_DIR/uptime (at 1000 s until moved by setClock; "missing": never written, the timers fall back on the
// wall clock), its reloader started; `dir` ($FAKE_DIR) holds the files the stand-ins read, and
// entrypoint.pid.
async function startWithStandIns(
  t: TestContext,
  {
    date,
    sleep,
    reloader = STOPPING_RELOADER,
    clock = false,
  }: { date?: string; sleep?: string; reloader?: string; clock?: boolean | "missing" },
) {
  const commands: Record<string, string> = {};
  if (date !== undefined) commands["date"] = date;
  if (sleep !== undefined) commands["sleep"] = sleep;
  const { dir, env } = await standIns(t, commands);
  const uptime: Record<string, string> = {};
  if (clock !== false) uptime["RANCHER_HAPROXY_UPTIME"] = join(dir, "uptime");
  if (clock === true) await setClock(dir, 1000);
  const entrypoint = await startEntrypoint(t, reloader, { ...env, ...uptime });
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  await writeFile(join(dir, "entrypoint.pid"), String(entrypoint.pid));
  return { dir, entrypoint };
}

// Sets the timers' clock of an entrypoint started with `clock` (dir's uptime file, read as /proc/uptime
// is) to `seconds`: written beside it and renamed, so that it is never read half-written.
async function setClock(dir: string, seconds: number) {
  await writeFile(join(dir, "uptime.new"), `${seconds.toFixed(2)} 0.00\n`);
  await rename(join(dir, "uptime.new"), join(dir, "uptime"));
}

// A stand-in \`date\` that, once armed (once), sends the entrypoint the signal named in the armed file
// and runs on a moment: that signal arrives while a trap's command runs.
const SIGNALLING_DATE = `#!/bin/sh
if [ -e "$FAKE_DIR/armed" ]; then
  signal=$(cat "$FAKE_DIR/armed")
  rm -f "$FAKE_DIR/armed"
  kill "-$signal" "$(cat "$FAKE_DIR/entrypoint.pid")"
  sleep 0.2
fi
exec /bin/date "$@"
`;

// The entrypoint with STOPPING_RELOADER and SIGNALLING_DATE on its PATH, its reloader started; `dir` is
// where the stand-in \`date\` reads which signal to send (the armed file) and to whom.
async function startWithSignallingDate(t: TestContext) {
  return startWithStandIns(t, { date: SIGNALLING_DATE });
}

test("SIGTERM while SIGUSR1's log line is being written: the reloader is still stopped, exit 0", async (t) => {
  // dash ran SIGTERM's trap inside SIGUSR1's (whose \`date\` timed the log line), then exited 138
  // (128 + SIGUSR1) from its \`wait\`: the reloader, in a session of its own, was never given the stop.
  const { dir, entrypoint } = await startWithSignallingDate(t);
  await writeFile(join(dir, "armed"), "TERM");
  process.kill(entrypoint.pid, "SIGUSR1");
  const hung = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000).unref());
  assert.deepEqual(await Promise.race([entrypoint.exited, hung]), { code: 0, signal: null });
  assert.equal(entrypoint.count("entrypoint.signal-ignored"), 1, "SIGUSR1 logged");
  assert.equal(entrypoint.count("fake.started"), 1, "never started again");
});

test("a signal that arrives while another's log line is being written is logged too, without waiting for the next", async (t) => {
  // SIGUSR2 came while SIGUSR1's line took its time: its trap noted it, but the entrypoint had already
  // looked at what to log and went back to wait for the reloader: the line came only at the next signal
  // or when the reloader ended, days later.
  const { dir, entrypoint } = await startWithSignallingDate(t);
  await writeFile(join(dir, "armed"), "USR2");
  process.kill(entrypoint.pid, "SIGUSR1");
  await entrypoint.waitForEvent("entrypoint.signal-ignored", {
    match: (line) => line["signal"] === "USR2",
    timeoutMs: 10_000,
  });
  assert.deepEqual(
    entrypoint.logs
      .filter((line) => line.event === "entrypoint.signal-ignored")
      .map((line) => line["signal"]),
    ["USR1", "USR2"],
  );
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
});

// A stand-in \`date\` that, once armed (once), sends the entrypoint SIGTERM and then SIGUSR2 and runs on a
// moment: the stop is noted while an ignored signal's line is being written, with another line to come.
const STOPPING_DATE = `#!/bin/sh
if [ -e "$FAKE_DIR/armed" ]; then
  rm -f "$FAKE_DIR/armed"
  kill -TERM "$(cat "$FAKE_DIR/entrypoint.pid")"
  kill -USR2 "$(cat "$FAKE_DIR/entrypoint.pid")"
  sleep 0.2
fi
exec /bin/date "$@"
`;

test("a stop that comes while an ignored signal's line is written is timed from then: a reloader started again gets what is left", async (t) => {
  // The loop noted when the stop began before it logged the ignored signals and passed the stop on after:
  // a stop noted in between (here during SIGUSR1's line, SIGUSR2's line to come) was passed on with no
  // start noted, and the first restart timed the stop from its own start: the whole 30 s budget again.
  const { dir, entrypoint } = await startWithStandIns(t, {
    date: STOPPING_DATE,
    reloader: SLOW_DYING_RELOADER,
  });
  await writeFile(join(dir, "armed"), "");
  process.kill(entrypoint.pid, "SIGUSR1");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 3, signal: null });
  const budgets = entrypoint.logs
    .filter((line) => line.event === "fake.started")
    .map((line) => line["stopTimeout"]);
  assert.equal(budgets.length, 4, `the first reloader and three restarts: ${JSON.stringify(budgets)}`);
  // The first reloader took 1.5 s to die in the stop: at most 28.5 s are left.
  const left = Number(/^(\d+)ms$/.exec(String(budgets[1]))?.[1]);
  assert.ok(left >= 1000 && left <= 30_000 - 1500, `the first restart: ${String(budgets[1])}`);
  assert.deepEqual(
    entrypoint.logs
      .filter((line) => line.event === "entrypoint.signal-ignored")
      .map((line) => line["signal"]),
    ["USR1", "USR2"],
  );
});

// What an entrypoint logged of the signals it ignored: `logged` waits for the next line about `signal`
// (from its log line `from` on), `times` lists the `times` of its lines so far.
function ignoredLines(entrypoint: Awaited<ReturnType<typeof startEntrypoint>>) {
  const logged = (signal: string, from = 0) =>
    entrypoint.waitForEvent("entrypoint.signal-ignored", {
      from,
      match: (line) => line["signal"] === signal,
      timeoutMs: 10_000,
    });
  const times = (signal: string) =>
    entrypoint.logs
      .filter((line) => line.event === "entrypoint.signal-ignored" && line["signal"] === signal)
      .map((line) => line["times"]);
  return { logged, times };
}

// SIGUSR1 logged once; after `held`, a second SIGUSR1 (counted before SIGUSR2's first line: the lower
// number is handled first), after `stillHeld` a third (before SIGQUIT's), both held (`heldWhy`); after
// `due` the next SIGUSR1 is logged with the count of the three; then SIGTERM stops the entrypoint, exit 0.
async function heldTwiceThenCounted(
  entrypoint: Awaited<ReturnType<typeof startEntrypoint>>,
  clocks: {
    held: () => Promise<void>;
    stillHeld: () => Promise<void>;
    heldWhy: string;
    due: () => Promise<void>;
  },
) {
  const { logged, times } = ignoredLines(entrypoint);
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1");
  await clocks.held();
  process.kill(entrypoint.pid, "SIGUSR1");
  process.kill(entrypoint.pid, "SIGUSR2");
  await logged("USR2");
  await clocks.stillHeld();
  process.kill(entrypoint.pid, "SIGUSR1");
  process.kill(entrypoint.pid, "SIGQUIT");
  await logged("QUIT");
  assert.deepEqual(times("USR1"), [1], clocks.heldWhy);
  await clocks.due();
  const from = entrypoint.logs.length;
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1", from);
  assert.deepEqual(times("USR1"), [1, 3]);
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
}

test("a flood of an ignored signal is one line at once, then one a minute with how many came since, and the rest when the reloader ends", async (t) => {
  // One line per signal: a \`docker kill -s USR1\` in a loop filled the entrypoint's stderr without bound.
  const { dir, entrypoint } = await startWithStandIns(t, { clock: true });
  const { logged, times } = ignoredLines(entrypoint);
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1");
  // Its second (a delivery of its own: the first was handled) and a flood from a shell loop, then SIGUSR2.
  // A pending signal is delivered, and its trap run, before any of a higher number: SIGUSR2's line (its
  // first, at once) comes once every SIGUSR1 before it was counted.
  process.kill(entrypoint.pid, "SIGUSR1");
  const pid = entrypoint.pid;
  const flood = `i=0; while [ $i -lt 1000 ]; do kill -USR1 ${pid}; i=$((i+1)); done; kill -USR2 ${pid}`;
  assert.equal(spawnSync("sh", ["-c", flood]).status, 0);
  await logged("USR2");
  // The same for a real-time signal (RTMIN+3, 37), counted under a name of its own, then RTMIN+30 (64).
  process.kill(entrypoint.pid, 37);
  await logged("RTMIN+3");
  process.kill(entrypoint.pid, 37);
  process.kill(entrypoint.pid, 64);
  await logged("RTMIN+30");
  assert.deepEqual(times("USR1"), [1], "one line for the flood, before its minute is up");
  assert.deepEqual(times("RTMIN+3"), [1]);
  // A minute on, the next SIGUSR1 is logged with how many came since the first line (coalesced ones
  // that were still pending are counted once, as the kernel delivers them).
  await setClock(dir, 1061);
  const from = entrypoint.logs.length;
  process.kill(entrypoint.pid, "SIGUSR1");
  const minute = await logged("USR1", from);
  // The second and the flood's (perhaps one delivery between them, coalesced), and this one.
  assert.ok(Number(minute["times"]) >= 2, `times ${String(minute["times"])}`);
  assert.match(String(minute["msg"]), / times since the last such line, at most one a minute\)$/);
  // Counted and not yet logged when the reloader ends: logged then. SIGUSR1 is counted before SIGTERM's
  // stop is passed on (the lower number, handled first).
  process.kill(entrypoint.pid, "SIGUSR1");
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  assert.deepEqual(times("USR1"), [1, minute["times"], 1]);
  assert.deepEqual(times("USR2"), [1]);
  assert.deepEqual(times("RTMIN+3"), [1, 1], "the second, logged when the reloader ended");
  assert.deepEqual(times("RTMIN+30"), [1]);
  assert.equal(entrypoint.count("fake.started"), 1, "never started again");
});

// Every signal the entrypoint ignores but SIGUSR1, as `kill` takes it and as the entrypoint logs it.
const OTHER_IGNORED = [
  ...["USR2", "QUIT", "ALRM", "PWR", "VTALRM", "PROF", "IO", "XCPU", "XFSZ", "TSTP", "PIPE"].map((name) => [
    name,
    name,
  ]),
  ["16", "STKFLT"],
  ...Array.from({ length: 31 }, (_, n) => [String(34 + n), `RTMIN+${n}`]),
] as const;

test("a signal that ends a flood of another is logged at once, however the flood ends: every ignored signal, three times", async (t) => {
  // A flood of SIGUSR1 ended by SIGUSR2 (the test above): SIGUSR2's trap could run during a round of
  // log_ignored that neither read the clock nor wrote a line, or after its last round and before the
  // entrypoint's \`wait\`. Either way the entrypoint went back to \`wait\` with it noted, and its first line
  // came only at the next signal or the reloader's end (CI: once in a run; the probe
  // bench/probes/entrypoint-lost-line.mjs: 54 of 2 000 tries). A window of a few shell builtins: no stand-in
  // can hold the entrypoint there, so this makes 129 tries (43 names, then each again a minute on, twice),
  // of which the old script missed at least one in 9 runs of 10.
  const { dir, entrypoint } = await startWithStandIns(t, { clock: true });
  const { logged, times } = ignoredLines(entrypoint);
  const pid = entrypoint.pid;
  for (const minute of [0, 1, 2]) {
    // A minute on, each name's next signal is due again: logged at once, as a first is.
    if (minute > 0) await setClock(dir, 1000 + 61 * minute);
    for (const [sent, name] of OTHER_IGNORED) {
      const from = entrypoint.logs.length;
      const flood = `i=0; while [ $i -lt 1000 ]; do kill -USR1 ${pid}; i=$((i+1)); done; kill -${sent} ${pid}`;
      assert.equal(spawnSync("sh", ["-c", flood]).status, 0);
      const line = await logged(name, from);
      assert.equal(line["times"], 1, name);
    }
  }
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  for (const [, name] of OTHER_IGNORED) assert.deepEqual(times(name), [1, 1, 1], name);
  // SIGUSR1: a line a minute (its first, then one with the count at each minute), the rest at the end.
  assert.equal(times("USR1").length, 4, `SIGUSR1's lines: ${times("USR1").join(", ")}`);
  assert.equal(entrypoint.count("fake.started"), 1, "never started again");
});

test("variables of the names the entrypoint keeps an ignored signal's count in, inherited from the environment, neither end it nor change a line", async (t) => {
  // The container's environment is the user's (\`docker run -e ignored_count_USR1=...\`), and the entrypoint
  // read a signal's count and the time of its last line from variables of those names: "x y" or "(" failed
  // its arithmetic at that signal, and the entrypoint exited 2 (the container with it, HAProxy killed); a
  // count went on from a number, and a time to come held that signal's lines back. Every name the traps
  // use: these, at every other one, and numbers at the rest.
  const signals = [["USR1", "USR1"], ...OTHER_IGNORED] as const;
  const env: Record<string, string> = {};
  signals.forEach(([, name], index) => {
    const key = name.replace("+", "_");
    env[`ignored_count_${key}`] = index % 2 === 0 ? "x y" : "41";
    env[`ignored_at_${key}`] = index % 2 === 0 ? "(" : "999999999999";
    env[`ignored_held_${key}`] = "";
  });
  const entrypoint = await startEntrypoint(t, STOPPING_RELOADER, env);
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  const { logged, times } = ignoredLines(entrypoint);
  for (const [sent, name] of signals) {
    const from = entrypoint.logs.length;
    process.kill(entrypoint.pid, /^\d+$/.test(sent) ? Number(sent) : `SIG${sent}`);
    await logged(name, from);
  }
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  for (const [, name] of signals) assert.deepEqual(times(name), [1], name);
  assert.equal(entrypoint.count("fake.started"), 1, "never started again");
});

test("the wall clock moved on or set back changes no ignored signal's lines: they keep to the timers' clock", async (t) => {
  // The lines were timed by `date +%s`, the wall clock: moved on a minute (an NTP step), a signal's next
  // line came at once, before its minute was up; set back, too (counted as due, not as an hour).
  const { dir, entrypoint } = await startWithStandIns(t, { date: WALL_DATE, clock: true });
  await heldTwiceThenCounted(entrypoint, {
    held: () => writeFile(join(dir, "ahead"), "61"),
    stillHeld: () => writeFile(join(dir, "ahead"), "-3600"),
    heldWhy: "both held: the minute of the timers' clock is not up",
    // A minute on the timers' clock (the file read in place of /proc/uptime): the next comes with the count.
    due: () => setClock(dir, 1060),
  });
});

test("a timers' clock that goes back holds no line back: it carries on from its last reading", async (t) => {
  // Without /proc/uptime the timers fall back on the wall clock, which can be set back (an NTP step); the
  // file read in its place here goes back too. Counted from the reading before the step, the minute ends
  // as it would have, not once the clock is back where it was (16 minutes on for a step of 15).
  const { dir, entrypoint } = await startWithStandIns(t, { clock: true });
  await heldTwiceThenCounted(entrypoint, {
    held: () => setClock(dir, 1030),
    // Back 15 minutes: 30 s since the line (before the step)...
    stillHeld: () => setClock(dir, 130),
    heldWhy: "held: 30 s since the line",
    // ...then 30 s on: a minute since the line (30 s before the step, 30 s after it).
    due: () => setClock(dir, 160),
  });
});

test("without a readable /proc/uptime the timers fall back on the wall clock, a step back of it holding no line back", async (t) => {
  // The fallback: `date` from the first reading that fails on (here, a file that is not there). A wall
  // clock set back an hour after a line carries on from its last reading: the next line a minute after
  // the first, by the time that passed, neither at once nor an hour and a minute later.
  const { dir, entrypoint } = await startWithStandIns(t, { date: WALL_DATE, clock: "missing" });
  const { logged, times } = ignoredLines(entrypoint);
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1");
  await writeFile(join(dir, "ahead"), "-3600");
  process.kill(entrypoint.pid, "SIGUSR1");
  process.kill(entrypoint.pid, "SIGUSR2");
  await logged("USR2");
  assert.deepEqual(times("USR1"), [1], "held: seconds since the line, not a clock an hour behind it");
  // A minute on from the step back (the wall clock then an hour less a minute behind): the minute is up.
  await writeFile(join(dir, "ahead"), "-3539");
  const from = entrypoint.logs.length;
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1", from);
  assert.deepEqual(times("USR1"), [1, 2]);
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
});

// A stand-in \`date\` that, once armed (once), moves the timers' clock ($FAKE_DIR/uptime) a minute on at the
// time of the next line (`date -u`) and sends the entrypoint SIGUSR1 while that line is being written.
const ON_DURING_LINE_DATE = `#!/bin/sh
if [ "$1" = -u ] && [ -e "$FAKE_DIR/armed" ]; then
  rm -f "$FAKE_DIR/armed"
  echo "1061.00 0.00" > "$FAKE_DIR/uptime.new" && mv "$FAKE_DIR/uptime.new" "$FAKE_DIR/uptime"
  kill -USR1 "$(cat "$FAKE_DIR/entrypoint.pid")"
  sleep 0.2
fi
exec /bin/date "$@"
`;

test("a signal whose minute is up by the end of another's line is logged then, by the clock read after that line", async (t) => {
  // The clock is read once more after a round that wrote lines (they take time): read once a call, a
  // SIGUSR1 noted during SIGUSR2's line was judged by the time before it, held, and its line waited for
  // the next signal, however late.
  const { dir, entrypoint } = await startWithStandIns(t, { date: ON_DURING_LINE_DATE, clock: true });
  const { logged } = ignoredLines(entrypoint);
  process.kill(entrypoint.pid, "SIGUSR1");
  await logged("USR1");
  await writeFile(join(dir, "armed"), "");
  const from = entrypoint.logs.length;
  process.kill(entrypoint.pid, "SIGUSR2");
  await logged("USR2", from);
  const again = await logged("USR1", from);
  assert.equal(again["times"], 1);
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  assert.deepEqual(
    entrypoint.logs
      .filter((line) => line.event === "entrypoint.signal-ignored")
      .map((line) => [line["signal"], line["times"]]),
    [
      ["USR1", 1],
      ["USR2", 1],
      ["USR1", 1],
    ],
  );
});

// A reloader that exits 3 (an uncaught error, HAProxy left) once $FAKE_DIR/crash exists, which it removes;
// it stops (exit 0) on SIGTERM and exits when the entrypoint is gone.
const CRASHES_ON_CUE = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(0));
void import("node:fs").then(({ existsSync, rmSync }) => {
  const cue = process.env.FAKE_DIR + "/crash";
  console.log(JSON.stringify({ event: "fake.started" }));
  setInterval(() => existsSync(cue) && (rmSync(cue), process.exit(3)), 20);
});
`;

test("an ignored signal that keeps coming holds up neither a restart nor the exit, and adds one line at each", async (t) => {
  // log_ignored went round again while a signal had come during its round (its `date`): under a flood
  // it never returned, so the reloader's end was not seen (no restart, HAProxy unsupervised) and, at
  // that end (`all`), it wrote a line each round, without bound, and the entrypoint did not exit.
  const dir = await mkdtemp(join(tmpdir(), "rh-entry-flood-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const entrypoint = await startEntrypoint(t, CRASHES_ON_CUE, { FAKE_DIR: dir });
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  // dash's builtin `kill` (no fork a signal), until the entrypoint is gone.
  const flood = spawn("sh", ["-c", `while kill -USR1 ${entrypoint.pid} 2>/dev/null; do :; done`], {
    stdio: "ignore",
  });
  const floodEnded = new Promise((resolve) => flood.once("exit", resolve));
  t.after(() => flood.kill("SIGKILL"));
  await entrypoint.waitForEvent("entrypoint.signal-ignored", { timeoutMs: 10_000 });
  await writeFile(join(dir, "crash"), "");
  const died = await entrypoint.waitForEvent("entrypoint.reloader-died", { timeoutMs: 10_000 });
  assert.equal(died["exitCode"], 3);
  const from = entrypoint.logs.indexOf(died);
  await entrypoint.waitForEvent("fake.started", { from, timeoutMs: 10_000 });
  assert.equal(flood.exitCode, null, "the flood still goes on");
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint", 20_000), { code: 0, signal: null });
  await floodEnded;
  // The first at once, the count since then as the first reloader ended, the rest as the second did.
  const lines = entrypoint.logs.filter((line) => line.event === "entrypoint.signal-ignored");
  assert.deepEqual(
    lines.map((line) => line["signal"]),
    ["USR1", "USR1", "USR1"],
  );
  assert.ok(lines.slice(1).every((line) => Number(line["times"]) >= 1));
  assert.equal(entrypoint.count("fake.started"), 2, "started again once");
});

test("the restart pause keeps to the timers' clock: a wall clock set back or moved on neither keeps it long nor cuts it short", async (t) => {
  // The pause doubles (1 s, 2 s, … 30 s) while the reloader dies within a minute of its start, and is 1 s
  // again after a run of a minute. Timed by \`date +%s\`, the wall clock, a run during which it was set
  // back an hour never counted as a minute, and one during which it was moved on an hour always did (the
  // pause of a crash loop back to 1 s).
  const { dir, entrypoint } = await startWithStandIns(t, {
    date: WALL_DATE,
    reloader: CRASHES_ON_CUE,
    clock: true,
  });
  // The pause after the running reloader crashes, `meanwhile` done first; once it is started again.
  const pauseAfterCrash = async (meanwhile: () => Promise<void>) => {
    const from = entrypoint.logs.length;
    await meanwhile();
    await writeFile(join(dir, "crash"), "");
    const died = await entrypoint.waitForEvent("entrypoint.reloader-died", { from, timeoutMs: 10_000 });
    assert.equal(died["exitCode"], 3);
    await entrypoint.waitForEvent("fake.started", { from: entrypoint.logs.indexOf(died), timeoutMs: 10_000 });
    return died["restartInS"];
  };
  const pauses = [await pauseAfterCrash(async () => {})];
  // A run of a minute on the timers' clock, the wall clock set back an hour meanwhile: 1 s again.
  pauses.push(
    await pauseAfterCrash(async () => {
      await writeFile(join(dir, "ahead"), "-3600");
      await setClock(dir, 1061);
    }),
  );
  // A run of no time on the timers' clock, the wall clock moved on two hours meanwhile: doubled.
  pauses.push(await pauseAfterCrash(() => writeFile(join(dir, "ahead"), "3600")));
  assert.deepEqual(pauses, [1, 1, 2]);
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  assert.equal(entrypoint.count("fake.started"), 4, "the first reloader and three restarts");
});

// A reloader that exits 3 (an uncaught error, HAProxy left) at its first start and runs at the next; it
// says whether the entrypoint's restart pause (its `sleep` child) was still running when it started, and
// exits when the entrypoint is gone.
const CRASHES_ONCE = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(0));
void import("node:fs").then(({ existsSync, readdirSync, readFileSync, writeFileSync }) => {
  const sleeping = readdirSync("/proc").filter((pid) => /^\\d+$/.test(pid)).some((pid) => {
    try {
      const stat = readFileSync("/proc/" + pid + "/stat", "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return stat.includes("(sleep)") && Number(fields[1]) === process.ppid && fields[0] !== "Z";
    } catch {
      return false;
    }
  });
  const first = !existsSync(process.env.FAKE_DIR + "/crashed");
  console.log(JSON.stringify({ event: "fake.started", pauseRunning: sleeping }));
  if (first) {
    writeFileSync(process.env.FAKE_DIR + "/crashed", "");
    process.exit(3);
  }
});
`;

// A stand-in \`sleep\` whose restart pause (whole seconds) begins only once $FAKE_DIR/signalled exists: a
// signal the test sends lands in the pause however late it looks, and a reloader started again before the
// pause is over still sees it run. Held, it ends with the entrypoint too (no orphan is left).
const SIGNALLED_PAUSE_SLEEP = `#!/bin/sh
case "$1" in *[!0-9]*) exec /bin/sleep "$@" ;; esac
while [ ! -e "$FAKE_DIR/signalled" ] && kill -0 "$PPID" 2>/dev/null; do /bin/sleep 0.02; done
exec /bin/sleep "$1"
`;

test("an ignored signal during the restart pause does not cut it short: the reloader is started again after it", async (t) => {
  // SIGUSR1 (or any signal the entrypoint ignores) interrupted the `wait` for the pause's `sleep`,
  // and the reloader was started again at once: a reloader that crashes at every start was restarted in
  // a tight loop by signals that were meant to be ignored.
  // The pause is held until the signal was logged (SIGNALLED_PAUSE_SLEEP): a test slow to look on a loaded
  // machine missed a pause of 1 s.
  const { dir, env } = await standIns(t, { sleep: SIGNALLED_PAUSE_SLEEP });
  const entrypoint = await startEntrypoint(t, CRASHES_ONCE, env);
  const died = await entrypoint.waitForEvent("entrypoint.reloader-died", { timeoutMs: 10_000 });
  assert.equal(died["restartInS"], 1);
  // The signal lands in the pause: the entrypoint waits (sleeping) for its running `sleep`.
  await waitFor(
    () =>
      listProcesses().some((proc) => proc.ppid === entrypoint.pid && proc.name === "sleep") &&
      readProcess(entrypoint.pid)?.state === "S",
    { timeoutMs: 10_000, message: "the entrypoint to wait in its pause" },
  );
  const from = entrypoint.logs.length;
  process.kill(entrypoint.pid, "SIGUSR1");
  await ignoredLines(entrypoint).logged("USR1", from);
  await writeFile(join(dir, "signalled"), "");
  const restarted = await entrypoint.waitForEvent("fake.started", { from, timeoutMs: 10_000 });
  assert.equal(restarted["pauseRunning"], false, "started once the pause was over");
  assert.equal(
    entrypoint.count("entrypoint.signal-ignored", (line) => line["signal"] === "USR1"),
    1,
  );
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
});

// A stand-in \`sleep\` that holds the restart pause (whole seconds; not the stop's 0.1 s polls nor the stand-in
// \`date\`'s 0.2 s) until $FAKE_DIR/pause-over exists: the reloader is started again only once the test lets
// the pause end, or once a stop cuts it short. It ends with the entrypoint too (no orphan is left).
const HELD_PAUSE_SLEEP = `#!/bin/sh
case "$1" in *[!0-9]*) exec /bin/sleep "$@" ;; esac
while [ ! -e "$FAKE_DIR/pause-over" ] && kill -0 "$PPID" 2>/dev/null; do /bin/sleep 0.02; done
`;

// The entrypoint with CRASHES_ON_CUE, SIGNALLING_DATE and HELD_PAUSE_SLEEP: its reloader crashes once the
// entrypoint is armed to send itself `signal` with the next \`date\`, that of the reloader-died line; the
// signal is noted after that line, before the pause's \`wait\`.
async function signalledAsTheReloaderDies(t: TestContext, signal: string) {
  const { dir, entrypoint } = await startWithStandIns(t, {
    date: SIGNALLING_DATE,
    sleep: HELD_PAUSE_SLEEP,
    reloader: CRASHES_ON_CUE,
  });
  await writeFile(join(dir, "armed"), signal);
  await writeFile(join(dir, "crash"), "");
  const died = await entrypoint.waitForEvent("entrypoint.reloader-died", { timeoutMs: 10_000 });
  assert.deepEqual([died["exitCode"], died["restartInS"]], [3, 1]);
  return { dir, entrypoint, died };
}

test("a stop noted as the reloader-died line is written cuts the restart pause short", async (t) => {
  // SIGTERM came during that line's \`date\`: its trap ran before the pause's \`wait\`, which then waited
  // for the whole pause (up to 30 s) before the reloader was started again and given the stop; here, a
  // pause held until the test ends, the entrypoint never stopped.
  const { entrypoint, died } = await signalledAsTheReloaderDies(t, "TERM");
  await entrypoint.waitForEvent("fake.started", { from: entrypoint.logs.indexOf(died), timeoutMs: 10_000 });
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  assert.equal(entrypoint.count("fake.started"), 2, "started again (it adopts HAProxy) and given the stop");
});

test("an ignored signal noted as the reloader-died line is written is logged at once, and the pause runs on", async (t) => {
  // SIGUSR2 came during that line's \`date\`: its trap ran before the pause's \`wait\`, and its line came
  // only once the pause was over (up to 30 s), or at another signal; here, never.
  const { dir, entrypoint, died } = await signalledAsTheReloaderDies(t, "USR2");
  const { logged } = ignoredLines(entrypoint);
  await logged("USR2", entrypoint.logs.indexOf(died));
  assert.equal(
    entrypoint.count("fake.started"),
    1,
    "still in the pause: an ignored signal does not cut it short",
  );
  await writeFile(join(dir, "pause-over"), "");
  await entrypoint.waitForEvent("fake.started", { from: entrypoint.logs.indexOf(died), timeoutMs: 10_000 });
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
  assert.equal(entrypoint.count("entrypoint.signal-ignored"), 1);
});

// Every other signal tini passes on whose default action ends a shell: each ended the entrypoint at once
// (128 + the signal), and the container with it, HAProxy killed; SIGPWR is LXC's stop signal, for one.
// SIGTSTP stopped it: the stop that came next was never passed on (Docker killed the container).
const OTHER_SIGNALS = [
  "SIGALRM",
  "SIGPWR",
  "SIGVTALRM",
  "SIGPROF",
  "SIGIO",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGTSTP",
  "SIGPIPE",
  "SIGSTKFLT",
] as const;
// Linux's real-time signals (SIGRTMIN = 34 … SIGRTMAX = 64): tini passes them on too, and each ended the
// entrypoint (SIGRTMIN+3 is the stop signal of systemd-style tooling).
const REALTIME = [
  { name: "RTMIN+3", number: 37 },
  { name: "RTMIN+30", number: 64 },
] as const;
for (const signal of [...OTHER_SIGNALS, ...REALTIME]) {
  const [name, sent] = typeof signal === "string" ? [signal.slice(3), signal] : [signal.name, signal.number];
  test(`SIG${name} to the entrypoint is ignored (logged): the reloader keeps running, SIGTERM still stops it`, async (t) => {
    const entrypoint = await startEntrypoint(t, STOPPING_RELOADER);
    await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
    process.kill(entrypoint.pid, sent);
    const ignored = await entrypoint.waitForEvent("entrypoint.signal-ignored", { timeoutMs: 5000 });
    assert.equal(ignored["signal"], name);
    process.kill(entrypoint.pid, "SIGTERM");
    assert.deepEqual(await ended(entrypoint, "the entrypoint"), { code: 0, signal: null });
    assert.equal(entrypoint.count("fake.started"), 1, "never started again");
  });
}

// A reloader that exits 3 on SIGTERM and says its pid; it exits when the entrypoint is gone.
const DIES_IN_STOP = `
${EXITS_WITH_ENTRYPOINT}
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(3));
console.log(JSON.stringify({ event: "fake.started", pid: process.pid }));
`;

// A stand-in \`sleep\` that, armed (once), has the next process the entrypoint forks held
// (test/helpers/hold-fork.py): the first \`sleep\` after a reloader dies in a stop is the restart pause's,
// and the entrypoint forks nothing more before it starts the reloader again in the background.
const MARKING_SLEEP = `#!/bin/sh
if [ -e "$FAKE_DIR/armed" ]; then
  rm -f "$FAKE_DIR/armed"
  : > "$FAKE_DIR/hold"
fi
exec /bin/sleep "$@"
`;

const HOLD_FORK = join(ROOT, "test", "helpers", "hold-fork.py");

test("a stop passed on while a restarted reloader is still a copy of the entrypoint is not lost", async (t) => {
  // The entrypoint's background copy of itself has its traps (SIGHUP caught) until it clears them, and
  // read as a reloader ready for the stop: the SIGTERM it was given was noted by that copy's trap and
  // dropped when the copy cleared its traps, and the reloader it became never stopped (under load, or here
  // held by ptrace right after the fork). The container then waited for docker's SIGKILL, HAProxy killed.
  // hold-fork.py needs python3 and ptrace (scripts/ensure-haproxy.sh installs python3 when absent).
  const probe = spawnSync("python3", [HOLD_FORK, "/nonexistent", "0", "--", "true"], { encoding: "utf8" });
  assert.equal(
    probe.status,
    0,
    `test/helpers/hold-fork.py cannot run here: ${probe.stderr || String(probe.error)}`,
  );
  const { dir, env } = await standIns(t, { sleep: MARKING_SLEEP });
  const holder = ["python3", HOLD_FORK, join(dir, "hold"), "1", "--"];
  const entrypoint = await startEntrypoint(t, DIES_IN_STOP, env, [], holder);
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  const shell = listProcesses().find((proc) => proc.ppid === entrypoint.pid && proc.name === "sh");
  assert.ok(shell, "the entrypoint runs under the holder");
  await writeFile(join(dir, "armed"), "");
  process.kill(shell.pid, "SIGTERM");
  const restarted = await entrypoint.waitForEvent("fake.started", { from: 1, timeoutMs: 10_000 });
  const held = entrypoint.logs.flatMap(
    (line) => /^hold-fork: holding (\d+)$/.exec(line.raw ?? "")?.[1] ?? [],
  );
  assert.ok(held.includes(String(restarted["pid"])), `the restarted reloader was held: ${held.join(", ")}`);
  // Every reloader given the stop: the last restart's exit 3 ends the entrypoint (it waited forever).
  assert.deepEqual(await ended(entrypoint, "the entrypoint", 20_000), { code: 3, signal: null });
  assert.equal(entrypoint.count("fake.started"), 4, "the first reloader and three restarts");
});
