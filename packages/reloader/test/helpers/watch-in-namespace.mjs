// A fixture script (run by watch-recheck.test.ts under `unshare -U -r -m`): watchInputs over <dir>,
// driven by JSON commands on stdin, telling what it sees as JSON lines on stdout. In its own user and
// mount namespaces it may lower the inotify limit (/proc/sys/user/max_inotify_watches counts per user
// namespace) and mount a volume over the directory, without touching the machine's.
// Plain JavaScript on the reloader's dist (the test checks it is fresh): through tsx each start paid
// ≈ 1.1 s of CPU for the loader.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createLogger, writeFileAtomic } from "@rancher-haproxy/core";
import { watchInputs } from "../../dist/watch/watch-inputs.js";

// One command per line: { limit: n } | { start: { recheckMs } } | { mount: true } | { write: { name, content } }.
const dir = process.argv[2] ?? "";
const logger = createLogger({ name: "watch-ns", level: "silent", format: "json" });
/** @param {object} line */
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
/** @type {{ ready: Promise<unknown>; close(): unknown } | null} */
let watcher = null;

/** @param {any} command */
async function run(command) {
  if ("limit" in command) writeFileSync("/proc/sys/user/max_inotify_watches", String(command.limit));
  else if ("mount" in command) execFileSync("mount", ["-t", "tmpfs", "none", dir]);
  else if ("write" in command) await writeFileAtomic(join(dir, command.write.name), command.write.content);
  else {
    const files = [join(dir, "haproxy-backends.cfg"), join(dir, "domain.map")];
    watcher = watchInputs(files, 100, () => say({ report: true }), logger, {
      intervalMs: command.start.recheckMs,
      onProblem: (problem) => say({ problem }),
    });
    await watcher.ready;
  }
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    await run(JSON.parse(line));
    say({ done: line });
  });
});
lines.on("close", () => void queue.then(() => watcher?.close()));
