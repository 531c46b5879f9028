#!/usr/bin/env node
// Thin launcher so the bin works right after `npm run build` (dist/ is not present at install time).
//
// The ignored signals (IGNORED_SIGNALS: SIGUSR1, SIGUSR2, SIGQUIT...) are ignored from here on, not from
// cli.js's first statement: that ran only once cli.js's modules had loaded (≈ 25 ms later, measured under
// load), and a SIGUSR1 until then opened node's inspector on 127.0.0.1:9229 (node 20 has no
// --disable-sigusr1). Before this module runs, node's own start is a window no code of ours can close. So
// cli.js is imported dynamically, after the call: a static import is loaded and evaluated before this
// module's first statement. cli.js calls ignoreSignals() again, gets the same counts and logs them once
// its logger exists.
import { ignoreSignals } from "@rancher-haproxy/core/signals";

ignoreSignals();
// The bundle of dist/ when `npm run build` made it (scripts/bundle.mjs: ≈ 0.1–0.25 s less CPU a start),
// dist/cli.js after a `tsc -b` alone or a change of package-lock.json (choose-entry.ts); asked only now,
// so the window above stays as short as it was.
const { chooseEntry } = await import("@rancher-haproxy/core/launch");
await import(chooseEntry(new URL("../", import.meta.url)).href);
