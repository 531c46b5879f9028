#!/usr/bin/env node
// Runs every *.test.ts under the given roots (default: packages and test), or the test files given, with
// node:test. Node 20's --test does not expand globs itself, so the file list is built here.
// The tests run compiled: tsc emits them, with the sources they import, into .test-build/ (the same
// layout, `.ts` imports rewritten to `.js`, no type check: `npm run check` does that), in ≈ 4 s. Run
// through tsx instead, every test process paid ≈ 0.75 s of CPU for the loader (a second thread and a
// hook on every import): ≈ 100 s of the suite's CPU on CI's two cores. Paths to the repository's own
// files are built from its root (test-support's repoPath), never from a test file's own location.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { spawn, spawnSync } from "node:child_process";

const BUILD = ".test-build";

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["packages", "test"];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.ts")) files.push(path);
  }
}
for (const root of roots) {
  if (!existsSync(root)) continue;
  // A test file given by name runs alone (e.g. `node scripts/run-tests.mjs test/e2e-load.test.ts`).
  if (root.endsWith(".test.ts") && statSync(root).isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(", ")}`);
  process.exit(1);
}
rmSync(BUILD, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.test-build.json"],
  { stdio: "inherit" },
);
if (tsc.status !== 0) {
  console.error(`compiling the tests failed (tsc exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
// The sources read their version from the package.json beside them: a copy with only that and the module
// type (no name, so an import of the package by its name still resolves to its dist/ in node_modules).
for (const name of readdirSync("packages")) {
  const manifest = join("packages", name, "package.json");
  if (!existsSync(manifest)) continue;
  const { version, type } = JSON.parse(readFileSync(manifest, "utf8"));
  mkdirSync(join(BUILD, "packages", name), { recursive: true });
  writeFileSync(join(BUILD, "packages", name, "package.json"), `${JSON.stringify({ version, type })}\n`);
}
// The compiled copy of a test file (a root may be given as an absolute path).
const built = (file) => join(BUILD, relative(process.cwd(), file).replace(/\.ts$/, ".js"));

// Files that spend most of their time waiting: a WebSocket held idle for 55 s to show the default tunnel
// timeout outlasting the 50 s client/server ones; /healthz turning 503 after 3 intervals without a cycle
// (14 of the file's 21 s); a restarted reloader waiting for a master whose CLI is silent while it
// re-executes; a metadata outage held for a while (5 s of CPU in 23 s); the demo's timed changes (13 s of
// CPU in 25 s). They run in a process of their own, two at a time, beside the main run's four slots,
// instead of holding one of them (first one at a time beside three; the settings are below). Their output
// is printed after the main run's.
// Also, mostly waiting too: fake reloaders dying 1.5 s after a signal, the image's process model,
// HAProxy restarts after their backoff, a reload refused until a port is freed, and a check stopped
// mid-way (≈ 100 s in all; the main run had grown to 486–502 s). And the adopted masters' process groups,
// whose four cases mostly wait for reload timeouts and stale-master windows (≈ 55 s; the main run had
// grown to 445 s, beside it 341 s).
const BESIDE = new Set([
  join("packages", "reloader", "test", "adopt-program-group.test.ts"),
  join("test", "e2e-labels-timeouts.test.ts"),
  join("test", "e2e-metadata-outage.test.ts"),
  join("test", "demo.test.ts"),
  join("packages", "generate-maps", "test", "status-listener.test.ts"),
  join("packages", "reloader", "test", "faults-adopt.test.ts"),
  join("test", "entrypoint-stop-restarts.test.ts"),
  join("test", "image-process-model.test.ts"),
  join("packages", "reloader", "test", "restart.test.ts"),
  join("packages", "reloader", "test", "reload-retry.test.ts"),
  join("packages", "reloader", "test", "check-stopped.test.ts"),
  // Waiting too, moved from the main run (each run alone: CPU under a fifth of its time): the status
  // server's timeouts, run loops at their intervals, a watcher left quiet, reload timeouts and an adoption
  // after a killed start (≈ 107 s of wall time, ≈ 16 s of CPU in all).
  join("packages", "core", "test", "status-server-limits.test.ts"),
  join("packages", "generate-maps", "test", "run-loop.test.ts"),
  join("packages", "reloader", "test", "watch-inputs.test.ts"),
  join("packages", "reloader", "test", "kept-certificate-chain.test.ts"),
  join("packages", "reloader", "test", "reload-timeout-refused.test.ts"),
  join("packages", "reloader", "test", "adopt-reload-timeout-refused.test.ts"),
  join("packages", "reloader", "test", "adopt-after-killed-start.test.ts"),
  // The version watcher's intervals and long polls (moved from the main run on 2026-12-04, CPU under a
  // fifth of its time; ≈ 30 s since one test waits for a poll carried over 1 s waits to its 10 s maxWait,
  // ≈ 21 s before), and long polls left hanging until their timeout (20 s) at 25, 10 and 1 s intervals
  // beside a poll held to its maxWait, side by side (≈ 26 s of wall time, 1 s of CPU). Six files moved
  // here with the watcher on 2026-12-04 went back to the main run on 2026-12-05 (the recorded long polls
  // replayed, 55 refused reloads, a reload timeout, the master-CLI probe, an adoption after a killed
  // restart, HAProxy's own answers with HSTS): on the 2-core machine of
  // that day the main run took ≈ 194 s and this one ≈ 271 s, so this one decided the total (after the
  // move, with the day's new tests: main 228 s, this one 262 s, 302 s in all against 305 s).
  join("packages", "generate-maps", "test", "watch-version.test.ts"),
  join("packages", "generate-maps", "test", "watch-version-hang.test.ts"),
]);
const isBeside = (file) => BESIDE.has(relative(process.cwd(), file));
// The longest files start first (wall time of each in a whole run, scripts/test-durations.json), the
// shortest last, so the run does not end with a long file alone on an idle machine; a file not listed
// (a new one) counts as the longest. Update the list when files change much (see that file's numbers:
// seconds on CI's two cores, 2026-12-06; 0 is under half a second).
const DURATIONS = JSON.parse(readFileSync(join("scripts", "test-durations.json"), "utf8"));
const duration = (file) => DURATIONS[relative(process.cwd(), file).split(sep).join("/")] ?? Infinity;
const longestFirst = (list) =>
  list
    .map((file, order) => ({ file, order }))
    .sort((a, b) => duration(b.file) - duration(a.file) || a.order - b.order)
    .map(({ file }) => built(file));
const main = longestFirst(files.filter((file) => !isBeside(file)));
const beside = longestFirst(files.filter(isBeside));
// No --test-force-exit: with it, a file's process could exit before its last results reached the report
// (a file of 62 tests reported 52 to 62 of them, run after run; a whole run 729 or 734). Every file closes
// what it opens, so the processes end by themselves.
const RUN_FILES = join("scripts", "run-test-files.mjs");
const MAX_BLOCKS = 5;

// Run the files of `list` (run-test-files.mjs: in that order, unlike `node --test`); resolves with its exit
// status (1 when it could not run) and its output, also echoed as it comes when `echo` is set.
function run(list, extra, echo) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN_FILES, ...extra, ...list], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = [];
    child.stdout.on("data", (chunk) => {
      output.push(chunk);
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output.push(chunk);
      if (echo) process.stderr.write(chunk);
    });
    child.on("error", (error) => resolve({ status: 1, output: [Buffer.from(`${String(error)}\n`)] }));
    child.on("close", (code) => resolve({ status: code ?? 1, output }));
  });
}

// Two at a time beside: its files mostly wait (≈ 110 s of CPU in ≈ 420 s one after the other).
const side = beside.length > 0 ? run(beside, ["--concurrency=2"], false) : null;
// Four files at a time on CI's two cores: much of the suite waits on HAProxy, timers and child processes,
// so more slots than cores fill them. Measured on the 2-core CI machine: the main run 490 s with two
// slots, 410–420 s with three. Each file run alone (2026-12-05): ≈ 690 s of CPU for the whole suite, so
// no schedule ends before ≈ 345 s. A model of the files sharing two cores, which gives 380–420 s for
// three slots here and one beside (CI: 395 s), puts four here and two beside at 350–375 s (beside
// ≈ 315 s).
// Under a load of 13 (other jobs), all 1 217 tests passed with four and two.
const result = main.length > 0 ? await run(main, ["--concurrency=4"], true) : { status: 0, output: [] };
let status = result.status;
const outputs = [result.output];
if (side) {
  const done = await side;
  console.log(`\n# beside the main run: ${beside.join(", ")}`);
  process.stdout.write(Buffer.concat(done.output));
  outputs.push(done.output);
  if (done.status !== 0) status = done.status;
}
// A failure is printed once more at the very end: a CI that keeps only the tail of a long run (≈ 2 MB of
// TAP) showed the beside run's passes and not which test of the main run had failed.
const failures = outputs.flatMap((output) => failedBlocks(Buffer.concat(output).toString("utf8")));
if (failures.length > 0) {
  console.log(`\n# ${failures.length} failed; the first ${MAX_BLOCKS} as reported above, then every name:`);
  for (const block of failures.slice(0, MAX_BLOCKS)) console.log(block.lines.join("\n"));
  for (const block of failures) console.log(`# failed: ${block.lines[0]?.trim()}`);
} else if (status !== 0) console.log(`\n# the run failed (exit ${status}) with no failed test in its report`);
process.exit(status);

// The `not ok` lines of a TAP report, each with the YAML block that follows it (cut at 25 lines).
function failedBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)not ok \d+ - /.exec(lines[i]);
    if (!match) continue;
    const end = `${match[1]}  ...`;
    const block = [lines[i]];
    for (let j = i + 1; j < lines.length && block.length < 25; j++) {
      block.push(lines[j]);
      if (lines[j] === end) break;
    }
    blocks.push({ lines: block });
  }
  return blocks;
}
