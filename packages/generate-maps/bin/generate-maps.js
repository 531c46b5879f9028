#!/usr/bin/env node
// Thin launcher so the bin works right after `npm run build` (dist/ is not present at install time).
//
// A one-shot run (--once, --dry-run, --explain) keeps V8's young generation at its initial size (1 MiB
// semi-spaces) instead of letting it grow to 16 MiB. A one-shot process faults in every page the young
// generation grows by and exits before reusing it: ≈ 13 µs a page on the machines measured, and at
// 10 000 containers ≈ 9 000 pages (≈ 0.1 s of CPU, ≈ 30 MB of peak RSS). The loop keeps V8's default:
// it reuses those pages cycle after cycle, and a young generation of 1 MiB made its cycles at 10 000
// containers cost more (the table outlives it and is promoted). The flag only tunes the garbage
// collector, so a false match (`--once=false`) changes nothing else. It is set before anything else is
// loaded; `test/generator-heap.test.ts` checks that it still takes effect.
import { setFlagsFromString } from "node:v8";

const ONE_SHOT = /^--(?:once|dry-run|explain)(?:=|$)/;
if (process.argv.slice(2).some((arg) => ONE_SHOT.test(arg)))
  setFlagsFromString("--semi-space-growth-factor=1");
await import("../dist/cli.js");
