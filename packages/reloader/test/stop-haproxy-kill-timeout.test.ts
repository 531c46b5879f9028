// A master the kernel keeps from dying after SIGKILL (uninterruptible sleep on a hung disk or NFS, a frozen
// cgroup) never ends, so no wait sees its end: stopHaproxy waits 3 s for it after the SIGKILL, says so
// (`haproxy.kill-timeout`, error) and returns, and the reloader exits. Since 0668f52 (a ref'd timer held
// node's event loop open for that wait, without a bound) the process never exited. Such a master cannot be
// made on every machine (a cgroup v1 freezer does it; under cgroup v2 SIGKILL ends a frozen process), so a
// node of its own runs the built stopHaproxy (npx tsc -b) on a master whose end is never reported, and the
// test asserts that node exits, with the stop's signals and lines.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { repoPath } from "@rancher-haproxy/test-support";

const SCRIPT = [
  `import { stopHaproxy } from ${JSON.stringify(repoPath("packages", "reloader", "dist", "haproxy", "stop-haproxy.js"))};`,
  `import { createLogger } from "@rancher-haproxy/core";`,
  "const signals = [];",
  "const child = { pid: 4194303, exited: new Promise(() => undefined),",
  "  signal: (name) => signals.push(name) > 0, isAlive: () => true };",
  'const logger = createLogger({ name: "reloader", level: "info", format: "json" });',
  'const exit = await stopHaproxy(child, 10, logger, "/nonexistent/master.sock", null);',
  'process.stderr.write(JSON.stringify({ signals, exit }) + "\\n");',
].join("\n");

test("a master whose end never comes after SIGKILL is left after 3 s: haproxy.kill-timeout, and node exits", async () => {
  const node = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    cwd: repoPath("packages", "reloader"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  node.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  node.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  // 3 s after SIGTERM, 3 s after SIGKILL: a node still running at 20 s waits for ever (killed, failed).
  const limit = setTimeout(() => node.kill("SIGKILL"), 20_000);
  const [code, signal] = (await once(node, "exit")) as [number | null, string | null];
  clearTimeout(limit);
  assert.deepEqual([code, signal], [0, null], `node did not end by itself: ${stdout}${stderr}`);
  const result = JSON.parse(stderr.trim()) as { signals: string[]; exit: Record<string, unknown> };
  assert.deepEqual(result.signals, ["SIGUSR1", "SIGTERM", "SIGKILL"]);
  assert.deepEqual([result.exit["code"], result.exit["signal"]], [null, null]);
  assert.match(String(result.exit["error"]), /still running 3000 ms after SIGKILL/);
  const events = stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const said = events.map((line) => line["event"]);
  assert.deepEqual(said, ["haproxy.stopping", "haproxy.stop-timeout", "haproxy.kill-timeout"]);
  const killTimeout = events.find((line) => line["event"] === "haproxy.kill-timeout");
  assert.deepEqual([killTimeout?.["level"], killTimeout?.["pid"]], [50, 4194303]);
});
