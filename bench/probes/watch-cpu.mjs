// The input watch's CPU when the inputs' directory holds many unrelated files (bench/README.md, "Input
// watch cost"): N unrelated files beside the two inputs, K atomic writes (temp file + rename) of both
// inputs `gap` ms apart, and the CPU (process.cpuUsage, user + system) this process spent from the watch
// armed to the last report. The writes are made by a child process, so their own CPU is not counted.
// With `others` last, the child writes two other names instead (a user's config dir whose other files
// change; no report is due). Uses the built reloader (npx tsc -b first).
// Usage: node bench/probes/watch-cpu.mjs [N] [K] [gapMs] [others]
import { fork } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createLogger } from "../../packages/core/dist/index.js";
import { watchInputs } from "../../packages/reloader/dist/watch/watch-inputs.js";

if (process.argv[2] === "--writer") {
  // The child: K rounds of write + rename of both inputs, `gap` ms apart.
  const [dir, k, gap] = [process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
  const names =
    process.argv[6] === "others" ? ["other-a.conf", "other-b.conf"] : ["haproxy-backends.cfg", "domain.map"];
  const { rename } = await import("node:fs/promises");
  for (let i = 0; i < k; i++) {
    for (const name of names) {
      await writeFile(join(dir, `.${name}.tmp`), `# round ${i}\n`);
      await rename(join(dir, `.${name}.tmp`), join(dir, name));
    }
    await new Promise((done) => setTimeout(done, gap));
  }
  process.exit(0);
}

const [n = 10_000, k = 80, gap = 300] = process.argv.slice(2, 5).map(Number);
const others = process.argv[5] === "others";
const dir = await mkdtemp(join(tmpdir(), "rh-watch-cpu-"));
try {
  for (let i = 0; i < n; i += 500)
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, j) => writeFile(join(dir, `unrelated-${i + j}`), "x")),
    );
  const inputs = ["haproxy-backends.cfg", "domain.map"].map((name) => join(dir, name));
  for (const path of inputs) await writeFile(path, "# start\n");
  const logger = createLogger({ name: "watch-cpu", level: "silent", format: "json" });
  let reports = 0;
  const before = process.cpuUsage();
  const started = performance.now();
  const watcher = watchInputs(inputs, 100, () => reports++, logger);
  await watcher.ready;
  const armed = process.cpuUsage(before);
  const writer = fork(new URL(import.meta.url), [
    "--writer",
    dir,
    String(k),
    String(gap),
    others ? "others" : "inputs",
  ]);
  await new Promise((done) => writer.once("exit", done));
  // The trailing report comes at most ~100 ms + settle after the last write.
  await new Promise((done) => setTimeout(done, 1500));
  const used = process.cpuUsage(before);
  await watcher.close();
  const ms = (usage) => ((usage.user + usage.system) / 1000).toFixed(0);
  console.log(
    `files=${n} writes=${k}${others ? " (other names)" : ""} gap=${gap}ms arm CPU=${ms(armed)} ms total CPU=${ms(used)} ms ` +
      `(${((used.user + used.system - armed.user - armed.system) / 1000 / k).toFixed(1)} ms/write) ` +
      `reports=${reports} wall=${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
