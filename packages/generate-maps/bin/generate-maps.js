#!/usr/bin/env node
// Thin launcher so the bin works right after `npm run build` (dist/ is not present at install time).
//
// A one-shot run (--once, --dry-run, --explain) tunes V8 for a process that walks its input once and
// exits; the loop keeps V8's defaults. Both flags only tune the garbage collector and the JIT's tier-up,
// so a false match (`--once=false`) changes nothing else. They are set before anything else is loaded
// but the signals module (two small files); `test/one-shot-tuning.test.ts` checks that they still take
// effect.
//
// - The young generation stays at its initial size (1 MiB semi-spaces) instead of growing to 16 MiB. A
//   one-shot process faults in every page the young generation grows by and exits before reusing it:
//   ≈ 13 µs a page on one machine measured, and at 10 000 containers ≈ 9 000 pages (≈ 0.1 s of CPU,
//   ≈ 30 MB of peak RSS). The loop reuses those pages cycle after cycle, and a young generation of 1 MiB
//   made its cycles at 10 000 containers cost more (the table outlives it and is promoted).
// - V8 optimizes a function only once ≈ 15 times more of its bytecode has run than by default (the
//   interrupt budget, 66 KiB by default). A one-shot run meets each model function once per container:
//   by default V8 spent ≈ 300 ms of compiler-thread CPU optimizing ≈ 70 functions at 10 000 containers
//   (16 of them deoptimized again), more than the cycle's own JSON.parse; with this budget it optimizes
//   ≈ 16 in ≈ 30 ms, and the run costs ≈ 150 ms less CPU. The loop's cycles run the same functions again
//   and again, so optimizing them early pays there. Only on V8 11 (Node 20), where it was measured: later
//   V8s tier up by invocation counts, and an unknown flag would print an error on every run. Nothing else
//   here pays: Node 20's V8 is built without Maglev (`--maglev` is accepted and does nothing), and no
//   TurboFan budget flag (inlining sizes, bytecode size, non-concurrent compiles) lowered a one-shot run's
//   instruction count beyond the noise (bench/README.md, "Measured on 2026-12-05 15:53–16:13").
//
// The ignored signals (IGNORED_SIGNALS: SIGUSR1, SIGUSR2, SIGQUIT...) are ignored from here on, not
// from cli.js's first statement: that ran only once cli.js's modules had loaded (≈ 25 ms later, measured
// under load), and a SIGUSR1 until then opened node's inspector on 127.0.0.1:9229 (node 20 has no
// --disable-sigusr1). Before this module runs, node's own start is a window no code of ours can close.
// A static import: it is evaluated before this module's first statement, and loads only the helper.
// cli.js calls ignoreSignals() again, gets the same counts and logs them once its logger exists.
import { setFlagsFromString } from "node:v8";
import { ignoreSignals } from "@rancher-haproxy/core/signals";

ignoreSignals();

const ONE_SHOT = /^--(?:once|dry-run|explain)(?:=|$)/;
if (process.argv.slice(2).some((arg) => ONE_SHOT.test(arg))) {
  setFlagsFromString("--semi-space-growth-factor=1");
  if (process.versions.v8.startsWith("11.")) setFlagsFromString("--interrupt-budget=1000000");
}
// The bundle of dist/ when `npm run build` made it (scripts/bundle.mjs: ≈ 0.1–0.25 s less CPU a start),
// dist/cli.js after a `tsc -b` alone or a change of package-lock.json (choose-entry.ts); asked only now,
// so the window above stays as short as it was.
const { chooseEntry } = await import("@rancher-haproxy/core/launch");
await import(chooseEntry(new URL("../", import.meta.url)).href);
