// Part 2: metadata change → first 200 from the new container through HAProxy, with the real pair
// (generate-maps + reloader + HAProxy, product defaults, so RUNTIME_UPDATES at its default where the
// reloader has it). (a) scale events (a stack's container moves to the other backend) and (c) new stacks,
// back to back through our /version long poll, each with HAProxy's own reload count per change; (b) plain
// polling every 10 s like the original (the stand-in holds every long poll, so only the refetch sees changes).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
import { masterReloads } from "../lib/master-reloads.js";
import { startGenerator, startProxy, type ProxyUnderTest } from "../lib/pair.js";
import { summarize, type Summary } from "../lib/stats.js";
import type { PartSettings } from "./settings.js";

// Seconds from the metadata change to the first 200 from the new container; reloads per change as
// HAProxy counts them (`show proc`). newStack and the reload counts are missing in older results.
export interface ConvergenceResult {
  /** (a) scale events: a stack's container re-addressed */
  longPoll: Summary;
  interval10s: Summary;
  /** (c) new stacks: a backend and a map line appear */
  newStack?: Summary;
  reloadsPerScaleEvent?: number;
  reloadsPerNewStack?: number;
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

    const live = await withCleanup(async (phase) => {
      startGenerator(phase, server.hostPort, proxy.etcDir);
      await allServing(proxy, stacks, on);
      const scaleEvents = await countReloads(proxy, async () => {
        const seconds: number[] = [];
        for (let i = 0; i < samples; i++) {
          const stack = stacks[i % 4] ?? "conv-0";
          on.set(stack, on.get(stack) === a ? b : a);
          seconds.push(await timeChange(server, proxy, tree, stack, on.get(stack) ?? a, 5));
          await sleep(150 + Math.random() * 250);
        }
        return seconds;
      });
      const newStacks = await countReloads(proxy, async () => {
        const seconds: number[] = [];
        for (let i = 0; i < samples; i++) {
          const stack = `conv-new-${i}`;
          stacks.push(stack);
          on.set(stack, i % 2 === 0 ? a : b);
          seconds.push(await timeChange(server, proxy, tree, stack, on.get(stack) ?? a, 5));
          await sleep(150 + Math.random() * 250);
        }
        return seconds;
      });
      return { scaleEvents, newStacks };
    });
    const longPoll = live.scaleEvents.samples;
    const reloadsPerScaleEvent = live.scaleEvents.reloads / samples;
    const reloadsPerNewStack = live.newStacks.reloads / samples;
    settings.progress(
      `new stacks: ${JSON.stringify(summarize(live.newStacks.samples, 3))}; reloads per scale event ` +
        `${reloadsPerScaleEvent}, per new stack ${reloadsPerNewStack}`,
    );
    settings.progress(`long poll: ${JSON.stringify(summarize(longPoll, 3))}`);

    const polling = await withCleanup(async (phase) => {
      stacks.splice(samples);
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
      newStack: summarize(live.newStacks.samples, 3),
      reloadsPerScaleEvent: Number(reloadsPerScaleEvent.toFixed(2)),
      reloadsPerNewStack: Number(reloadsPerNewStack.toFixed(2)),
      method:
        "setTree on the stand-in, then GET with the stack's Host on a new connection every 5 ms (a, c) / 50 ms (b) " +
        "until the new container answers; (a) and (c) one change after another, 150-400 ms apart; reloads = " +
        "HAProxy's show proc reload counter before and 1 s after the series; (b) makes one change per stack " +
        "at uniformly random moments over 3 intervals",
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

// Runs a series of changes and counts HAProxy's reloads over it (1 s after the last change, so the
// reloader's trailing re-read and any retry are in).
async function countReloads(
  proxy: ProxyUnderTest,
  series: () => Promise<number[]>,
): Promise<{ samples: number[]; reloads: number }> {
  const before = await masterReloads(proxy.stateDir);
  const samples = await series();
  await sleep(1000);
  return { samples, reloads: (await masterReloads(proxy.stateDir)) - before };
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
