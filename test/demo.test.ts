// The newcomer path: `demo/demo.ts --duration 15` runs non-interactively; the test curls every host it
// prints through HAProxy, sees its scale-up and alias change, stops it with SIGINT, and checks that it
// exits 0 and that every HAProxy process it had (found by pid under the demo's process tree) is gone.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  descendants,
  httpRequest,
  stillRuns,
  waitFor,
  waitForAnswer,
  type ProcessInfo,
} from "@rancher-haproxy/test-support";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

test("the demo runs, its printed curl lines and changes work, and SIGINT leaves no HAProxy behind", async (t) => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "demo/demo.ts", "--duration", "15", "--every", "4"],
    {
      cwd: ROOT,
      env: {
        PATH: `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin`,
        HOME: process.env["HOME"] ?? "/tmp",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Every process the demo started, by pid and command, so a failed test can still end each of them.
  const started = new Map<number, ProcessInfo>();
  const noteProcesses = () => {
    for (const proc of descendants(child.pid!)) if (proc.command !== "") started.set(proc.pid, proc);
  };
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      noteProcesses();
      child.kill("SIGKILL");
      await exited;
    }
    for (const proc of started.values())
      if (stillRuns(proc.pid, proc.command)) process.kill(proc.pid, "SIGKILL");
  });
  const output = () => `${lines.join("\n")}\n${stderr}`;
  const waitForLine = (pattern: RegExp, timeoutMs = 40_000) =>
    waitFor(() => lines.find((line) => pattern.test(line)), {
      timeoutMs,
      intervalMs: 50,
      message: `the demo to print ${pattern}\n${output()}`,
    });

  // The banner: the curl lines to try.
  await waitForLine(/Ctrl-C/);
  noteProcesses();
  const curls = lines
    .map((line) => /curl -H 'Host: (\S+)' (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ host: match[1]!, url: match[2]! }));
  assert.deepEqual(
    curls.map((curl) => curl.host),
    ["shop.demo.localhost", "blog.demo.localhost", "www.demo.localhost", "nope.demo.localhost"],
  );
  const url = curls[0]!.url;
  const body = async (host: string) => {
    const answer = await httpRequest({ url, host });
    return answer.status === 200 ? answer.body : `${answer.status} ${answer.body.trim()}`;
  };
  assert.equal(await body("shop.demo.localhost"), "shop-web-1");
  assert.match(await body("blog.demo.localhost"), /^blog-web-[12]$/);
  assert.match(await body("www.demo.localhost"), /^blog-web-[12]$/);
  assert.equal(await body("nope.demo.localhost"), "503 no route for this host");

  // The stats credentials it prints work (and are needed).
  const stats = lines
    .map((line) => /curl -u (\S+):(\S+) (http:\/\/127\.0\.0\.1:\d+\/)metrics/.exec(line))
    .find(Boolean);
  assert.ok(stats, "a stats line");
  const metrics = await httpRequest({
    url: `${stats[3]!}metrics`,
    headers: { authorization: `Basic ${Buffer.from(`${stats[1]}:${stats[2]}`).toString("base64")}` },
  });
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^haproxy_process_/m);
  assert.equal((await httpRequest({ url: `${stats[3]!}metrics` })).status, 401);
  const haproxy = [...started.values()].filter((proc) => proc.command.includes("haproxy"));
  assert.ok(
    haproxy.length >= 1,
    `an HAProxy under the demo:\n${[...started.values()].map((p) => p.command).join("\n")}`,
  );

  // The first change: shop scales to three containers, and all three answer.
  await waitForLine(/scaled stack shop from 1 to 3/);
  const seen = new Set<string>();
  await waitFor(
    async () => {
      seen.add(await body("shop.demo.localhost"));
      return seen.has("shop-web-1") && seen.has("shop-web-2") && seen.has("shop-web-3");
    },
    { timeoutMs: 10_000, message: "shop-web-1, -2 and -3 to answer" },
  );
  // The second: an alias store → shop.
  await waitForLine(/added the alias store/);
  const store = await waitForAnswer({ url, host: "store.demo.localhost", timeoutMs: 10_000 });
  assert.match(store.response.body, /^shop-web-[123]$/);
  noteProcesses();

  child.kill("SIGINT");
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still running after 30 s"), 30_000))),
  ]);
  clearTimeout(timer);
  assert.equal(code, 0, output());
  assert.ok(lines.includes("stopping (SIGINT)…"), "stopped by the SIGINT, not by --duration");
  assert.ok(
    lines.some((line) => line.startsWith("  no HAProxy process left")),
    output(),
  );
  const survivors = [...started.values()].filter((proc) => stillRuns(proc.pid, proc.command));
  assert.deepEqual(survivors, [], "every process the demo started has ended");
  const haproxyNow = [...started.values()].filter((proc) => proc.command.includes("haproxy"));
  assert.ok(haproxyNow.length >= 2, "master and workers were seen, and are gone");
  const removed = lines.map((line) => /removed (\/\S+)/.exec(line)?.[1]).find(Boolean);
  assert.ok(removed && !existsSync(removed), "the temp dir is removed");
});
