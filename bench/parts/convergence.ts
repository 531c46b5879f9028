// Part 2: metadata change → first 200 from the new backend through HAProxy, with the real pair
// (generate-maps + reloader + HAProxy, product defaults). (a) our /version long poll; (b) plain polling
// every 10 s like the original (the stand-in holds every long poll, so only the interval refetch sees changes).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildTree,
  startBackend,
  startMetadataServer,
  waitFor,
  type Backend,
  type MetadataServer,
} from "@rancher-haproxy/test-support";
import { withCleanup } from "../lib/cleanup.js";
import { getHost } from "../lib/get-host.js";
import { startGenerator, startProxy, type ProxyUnderTest } from "../lib/pair.js";
import { summarize, type Summary } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";

// Seconds from the metadata change to the first 200 from the new backend.
export interface ConvergenceResult {
  longPoll: Summary;
  interval10s: Summary;
  method: string;
}

// Run both modes in one run.
export async function runConvergence(settings: PartSettings): Promise<ConvergenceResult> {
  const samples = settings.quick ? 8 : 30;
  return withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "rh-bench-conv-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const a = await startBackend({ name: "blue", host: "127.0.0.71" });
    cleanup.add(() => a.close());
    const b = await startBackend({ name: "green", host: "127.0.0.72" });
    cleanup.add(() => b.close());
    const stacks = Array.from({ length: samples }, (_, i) => `conv-${i}`);
    const on = new Map<string, Backend>(stacks.map((s) => [s, a]));
    const tree = () =>
      buildTree({
        stacks: stacks.map((name) => {
          const backend = on.get(name) ?? a;
          return {
            name,
            services: [{ name: "web", containers: [{ ip: backend.host, port: backend.port }] }],
          };
        }),
      });
    const server = await startMetadataServer({ tree: tree() });
    cleanup.add(() => server.close());
    const proxy = await startProxy(cleanup, dir);

    const longPoll = await withCleanup(async (phase) => {
      startGenerator(phase, server.hostPort, proxy.etcDir);
      await allServing(proxy, stacks, on);
      const seconds: number[] = [];
      for (let i = 0; i < samples; i++) {
        const stack = stacks[i % 4] ?? "conv-0";
        on.set(stack, on.get(stack) === a ? b : a);
        seconds.push(await timeChange(server, proxy, tree, stack, on.get(stack) ?? a, 5));
        await sleep(150 + Math.random() * 250);
      }
      return seconds;
    });
    settings.progress(`long poll: ${JSON.stringify(summarize(longPoll, 3))}`);

    const polling = await withCleanup(async (phase) => {
      for (const s of stacks) on.set(s, a);
      server.setTree(tree());
      await server.setFault({ kind: "longpoll-hang" });
      phase.add(() => server.setFault(null));
      startGenerator(phase, server.hostPort, proxy.etcDir, ["--interval", "10"]);
      await allServing(proxy, stacks, on);
      return staggeredChanges(server, proxy, tree, stacks, on, b, settings.quick ? 12_000 : 30_000);
    });
    settings.progress(`10 s polling: ${JSON.stringify(summarize(polling, 3))}`);
    return {
      longPoll: summarize(longPoll, 3),
      interval10s: summarize(polling, 3),
      method:
        "setTree on the stand-in, then GET with the stack's Host on a new connection every 5 ms (a) / 50 ms (b) " +
        "until the new backend answers; (b) makes one change per stack at uniformly random moments over 3 intervals",
    };
  });
}

// One change, measured alone: flip `stack` and poll until `expected` answers.
async function timeChange(
  server: MetadataServer,
  proxy: ProxyUnderTest,
  tree: () => ReturnType<typeof buildTree>,
  stack: string,
  expected: Backend,
  everyMs: number,
): Promise<number> {
  const started = performance.now();
  server.setTree(tree());
  await waitFor(async () => (await getHost(proxy.url, `${stack}.dev.tld`)) === expected.name, {
    timeoutMs: 30_000,
    intervalMs: everyMs,
    message: `${stack} to reach ${expected.name}`,
  });
  return (performance.now() - started) / 1000;
}

// Changes at random moments over `windowMs`, one per stack, each timed on its own host.
async function staggeredChanges(
  server: MetadataServer,
  proxy: ProxyUnderTest,
  tree: () => ReturnType<typeof buildTree>,
  stacks: readonly string[],
  on: Map<string, Backend>,
  target: Backend,
  windowMs: number,
): Promise<number[]> {
  const offsets = stacks.map(() => Math.random() * windowMs);
  const timings = stacks.map(async (stack, i) => {
    await sleep(offsets[i] ?? 0);
    on.set(stack, target);
    const started = performance.now();
    server.setTree(tree());
    await waitFor(async () => (await getHost(proxy.url, `${stack}.dev.tld`)) === target.name, {
      timeoutMs: 40_000,
      intervalMs: 50,
      message: `${stack} to reach ${target.name}`,
    });
    return (performance.now() - started) / 1000;
  });
  return Promise.all(timings);
}

// Wait until every stack answers from the backend it is on.
async function allServing(proxy: ProxyUnderTest, stacks: readonly string[], on: Map<string, Backend>) {
  await waitFor(
    async () => {
      for (const stack of stacks)
        if ((await getHost(proxy.url, `${stack}.dev.tld`)) !== on.get(stack)?.name) return false;
      return true;
    },
    { timeoutMs: 40_000, intervalMs: 100, message: "every stack to be served" },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
