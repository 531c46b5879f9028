// The newcomer path. 1: `demo/demo.ts --duration 120` runs non-interactively; the test curls every host it
// prints through HAProxy, sees its scale-up and alias change, stops it with SIGINT, and checks that it
// exits 0 and that every HAProxy process it had (found by pid under the demo's process tree) is gone.
// 2: `npm run demo`, the README's command, stopped by a SIGTERM sent to the npm process itself, leaves
// no demo, HAProxy or other child behind. 3: a terminal's Ctrl-C (SIGINT to npm's whole process group,
// so the demo gets it twice: directly and forwarded by npm) is one graceful stop, not a forced one.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { httpRequest, waitFor, waitForAnswer } from "@rancher-haproxy/test-support";
import { startDemoProcess } from "./helpers/demo-process.ts";

test("the demo runs, its printed curl lines and changes work, and SIGINT leaves no HAProxy behind", async (t) => {
  // --duration 120: the demo must stop because of the signal. With 15 s, two changes 4 s apart, each
  // applied and sampled, then the alias answering, could take longer on a loaded machine: the demo ended
  // itself first.
  const demo = startDemoProcess(t, process.execPath, [
    "--import",
    "tsx",
    "demo/demo.ts",
    "--duration",
    "120",
    "--every",
    "4",
  ]);
  const { lines, output, waitForLine, started } = demo;

  // The banner: the curl lines to try.
  await waitForLine(/Ctrl-C/);
  demo.noteProcesses();
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
  // The observability lines it prints (both status listeners, on the ports it chose) answer.
  const asks = lines
    .map((line) => /^ {2}curl -s '?(http:\/\/127\.0\.0\.1:\d+\/[^'\s]*)'?/.exec(line)?.[1])
    .filter((ask) => ask !== undefined);
  const paths = asks.map((ask) => new URL(ask).pathname);
  assert.deepEqual(paths, [
    "/healthz",
    "/routes",
    "/explain",
    "/explain",
    "/metrics",
    "/healthz",
    "/config",
    "/metrics",
  ]);
  const answers = await Promise.all(asks.map((ask) => httpRequest({ url: ask })));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    asks.map(() => 200),
    asks.join("\n"),
  );
  assert.equal((JSON.parse(answers[0]!.body) as { status: string }).status, "ok");
  assert.match(answers[2]!.body, /^host www\.demo\.localhost: routed to backend blog$/m);
  assert.match(answers[3]!.body, /^container blog-web-3 .*: NOT routed$/m);
  assert.match(answers[3]!.body, /reason: unhealthy/);
  assert.match(answers[4]!.body, /^generate_maps_cycles_total\{result="ok"\} /m);
  assert.equal((JSON.parse(answers[5]!.body) as { status: string }).status, "ok");
  assert.match(answers[6]!.body, /^# ==> domain\.map <==$/m);
  assert.match(answers[7]!.body, /^reloader_haproxy_up 1$/m);
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
  demo.noteProcesses();

  assert.equal(await demo.signalAndWait("SIGINT"), 0, output());
  assert.ok(lines.includes("stopping (SIGINT)…"), "stopped by the SIGINT, not by --duration");
  assert.ok(
    lines.some((line) => line.startsWith("  no HAProxy process left")),
    output(),
  );
  // A child ends a moment after the demo's node (tsx's esbuild service exits once its stdin closes, seen
  // still running right after the exit in a CI run): wait for that, boundedly; one left behind stays.
  await waitFor(() => demo.survivors().length === 0, { timeoutMs: 5000, message: "" }).catch(() => undefined);
  assert.deepEqual(demo.survivors(), [], "every process the demo started has ended");
  const haproxyNow = [...started.values()].filter((proc) => proc.command.includes("haproxy"));
  assert.ok(haproxyNow.length >= 2, "master and workers were seen, and are gone");
  const removed = lines.map((line) => /removed (\/\S+)/.exec(line)?.[1]).find(Boolean);
  assert.ok(removed && !existsSync(removed), "the temp dir is removed");
});

test("`npm run demo` stopped by a SIGTERM to the npm process leaves nothing running", async (t) => {
  // --duration 120: the demo must stop because of the signal, long before it would stop by itself.
  const demo = startDemoProcess(t, "npm", ["run", "demo", "--", "--duration", "120", "--every", "60"]);
  await demo.waitForLine(/Ctrl-C/, 90_000);
  demo.noteProcesses();
  const commands = () => [...demo.started.values()].map((proc) => `${proc.pid} ${proc.command}`);
  assert.ok(
    [...demo.started.values()].some((proc) => proc.command.includes("haproxy")),
    `an HAProxy under npm:\n${commands().join("\n")}`,
  );
  assert.ok(
    [...demo.started.values()].some((proc) => proc.command.includes("demo/demo.ts")),
    `the demo under npm:\n${commands().join("\n")}`,
  );

  const code = await demo.signalAndWait("SIGTERM");
  // npm exits once its script has; give an orphan (the bug) a moment to be seen still running.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(
    demo.survivors().map((proc) => `${proc.pid} ${proc.command}`),
    [],
    `nothing the demo started outlives npm\n${demo.output()}`,
  );
  assert.equal(code, 0, demo.output());
  assert.ok(demo.lines.includes("stopping (SIGTERM)…"), demo.output());
  assert.ok(
    demo.lines.some((line) => line.startsWith("  no HAProxy process left")),
    demo.output(),
  );
});

test("Ctrl-C on `npm run demo` (SIGINT to the process group) is one graceful stop", async (t) => {
  const demo = startDemoProcess(t, "npm", ["run", "demo", "--", "--duration", "120", "--every", "60"]);
  await demo.waitForLine(/Ctrl-C/, 90_000);
  demo.noteProcesses();
  const code = await demo.signalAndWait("SIGINT", { group: true });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(
    demo.survivors().map((proc) => `${proc.pid} ${proc.command}`),
    [],
    demo.output(),
  );
  assert.ok(demo.lines.includes("stopping (SIGINT)…"), demo.output());
  assert.ok(!demo.lines.some((line) => line.includes("killing everything now")), demo.output());
  assert.ok(
    demo.lines.some((line) => line.startsWith("  no HAProxy process left")),
    demo.output(),
  );
  assert.equal(code, 0, demo.output());
});
