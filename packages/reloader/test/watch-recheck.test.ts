// A file watch that failed or stays on a directory no longer at its path (found in the last review's
// list of weak points): before, a watch refused by the inotify limit (ENOSPC) was logged once and
// stayed dead, with nothing on /healthz, and a volume mounted over the inputs' directory was never seen:
// only the rescan (every 10 s, or never) applied changes. The watcher runs in its own user and mount
// namespaces (unshare), where the test may lower the inotify limit and mount a tmpfs.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { assertBuilt, repoPath, waitFor } from "@rancher-haproxy/test-support";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { readStatus } from "../../test-support/src/status/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

const SCRIPT = repoPath("packages", "reloader", "test", "helpers", "watch-in-namespace.mjs");

type Said = { report?: true; problem?: string | null; done?: string };

// The fixture script in its namespaces, over a fresh directory with the two inputs.
async function startInNamespace(t: { after(fn: () => Promise<void>): void }) {
  assertBuilt("reloader");
  const dir = await mkdtemp(join(tmpdir(), "rh-watch-ns-"));
  const child = spawn("unshare", ["-U", "-r", "-m", process.execPath, SCRIPT, dir], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const said: Said[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => said.push(JSON.parse(line) as Said));
  t.after(async () => {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });
  let sent = 0;
  const send = async (command: object) => {
    const line = JSON.stringify(command);
    sent += 1;
    child.stdin.write(`${line}\n`);
    await waitFor(() => said.filter((s) => s.done !== undefined).length >= sent, {
      timeoutMs: 20_000,
      message: `command ${line} done`,
    });
  };
  await send({ write: { name: "haproxy-backends.cfg", content: "# empty\n" } });
  await send({ write: { name: "domain.map", content: "" } });
  const reports = () => said.filter((s) => s.report).length;
  const problems = () => said.filter((s) => s.problem !== undefined).map((s) => s.problem);
  return { send, reports, problems };
}

test("a watch refused by the inotify limit is reported, and re-armed once the limit allows it", async (t) => {
  const ns = await startInNamespace(t);
  await ns.send({ limit: 0 });
  await ns.send({ start: { recheckMs: 200 } });
  const [problem] = ns.problems();
  assert.match(String(problem), /ENOSPC/, "the failed watch is reported when it is armed");

  await ns.send({ limit: 100 });
  await waitFor(() => ns.problems().at(-1) === null, { timeoutMs: 20_000, message: "the watch re-armed" });
  const before = ns.reports();
  await ns.send({ write: { name: "domain.map", content: "one.dev.tld app\n" } });
  await waitFor(() => ns.reports() > before, { timeoutMs: 20_000, message: "a write is seen again" });
  assert.equal(ns.problems().length, 2, "one failure, one recovery: a failing re-arm is not reported again");
});

test("a volume mounted over the inputs' directory is watched, and a write into it is seen", async (t) => {
  const ns = await startInNamespace(t);
  await ns.send({ start: { recheckMs: 200 } });
  await ns.send({ mount: true });
  // The re-arm reads the files again (a report), then a write into the new volume is seen.
  await waitFor(() => ns.reports() >= 1, { timeoutMs: 20_000, message: "the mount is noticed" });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = ns.reports();
  await ns.send({ write: { name: "domain.map", content: "one.dev.tld app\n" } });
  await waitFor(() => ns.reports() > before, {
    timeoutMs: 20_000,
    message: "a write into the volume is seen",
  });
  assert.deepEqual(ns.problems(), [], "a replaced directory is no failure");
});

// Waits for the test to map the ids, then (root in the namespace after an exec) sets the inotify limit
// to 0 and runs node.
const MAPPED_THEN_LIMIT =
  "while ! grep -q . /proc/self/uid_map; do sleep 0.05; done; " +
  'exec sh -c \'echo 0 > /proc/sys/user/max_inotify_watches && exec "$@"\' sh "$@"';

test("the reloader's /healthz and /metrics say the watch failed until it is re-armed; the rescan applies changes meanwhile", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.93" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "one.dev.tld": "app" }),
    // The reloader in its own user namespace, where no inotify watch can be made.
    // In its own user namespace, where no inotify watch can be made. Its ids are mapped by the test
    // (HAProxy's workers switch to the haproxy group: root alone is not enough); only then is the
    // shell root there and lowers the limit.
    wrap: ["unshare", "-U", "sh", "-c", MAPPED_THEN_LIMIT, "sh"],
    waitReady: false,
    // HAProxy cannot raise its fd limit there: a maxconn within it.
    args: ["--rescan-interval", "1s", "--maxconn", "1000"],
  });
  // (once `unshare` made the namespace: a map written before lands in ours, refused with EPERM)
  const ours = await readlink("/proc/self/ns/user");
  const pid = fixture.reloader.pid;
  await waitFor(async () => (await readlink(`/proc/${pid}/ns/user`).catch(() => ours)) !== ours, {
    timeoutMs: 10_000,
    message: "the reloader's user namespace made",
  });
  for (const map of ["uid_map", "gid_map"]) await writeFile(`/proc/${pid}/${map}`, "0 0 65536\n");
  await fixture.reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const health = async () => JSON.parse((await readStatus(url, "/healthz")).body) as { warnings: string[] };
  const watchOk = async () =>
    /^reloader_input_watch_ok (\d)$/m.exec((await readStatus(url, "/metrics")).body)?.[1];

  assert.match((await health()).warnings.join("\n"), /the input files' watch failed \(.*ENOSPC/);
  assert.equal(await watchOk(), "0");
  assert.equal(fixture.reloader.logs.filter((line) => line.event === "inputs.watch-error").length, 1);
  await fixture.write({ map: renderTestMap({ "one.dev.tld": "app", "two.dev.tld": "app" }) });
  await waitFor(routesTo(fixture.url, "two.dev.tld", "app"), {
    timeoutMs: 10_000,
    message: "rescan applied",
  });

  // The limit raised in its namespace: the next rescan re-arms the watch.
  const raise = "echo 100 > /proc/sys/user/max_inotify_watches";
  execFileSync("nsenter", ["-t", String(fixture.reloader.pid), "-U", "sh", "-c", raise]);
  await fixture.reloader.waitForEvent("inputs.watch-restored", { timeoutMs: 10_000 });
  assert.deepEqual((await health()).warnings, []);
  assert.equal(await watchOk(), "1");
});
