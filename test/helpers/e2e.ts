// The end-to-end tests' fixture: real backends on 127.0.0.x and the whole pair on a World, all stopped
// when the test ends (also when it fails), plus small readers of what HAProxy and the files show.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import {
  httpRequest,
  startBackend,
  startPair,
  tailLogs,
  worldTree,
  type Backend,
  type Pair,
  type PairOptions,
  type SimpleResponse,
  type World,
} from "@rancher-haproxy/test-support";

// The STACK_DOMAIN of every end-to-end test.
export const DOMAIN = "e2e.tld";

// `<name>.<DOMAIN>`.
export const host = (name: string): string => `${name}.${DOMAIN}`;

// One backend to start: its name (the container name and the body it answers) and loopback address.
export interface BackendSpec {
  name: string;
  host: string;
  proxyProtocol?: boolean;
}

// What a fixture needs of whoever owns it to close it: a test's context, or a file's Cleanup.
export interface Owner {
  after(fn: () => unknown): void;
}

// The owner of what a file's `before` starts for all its tests: close() (in its `after`) runs the
// closers, last registered first.
export class Cleanup implements Owner {
  private readonly closers: (() => unknown)[] = [];

  // Registers one closer.
  after(fn: () => unknown): void {
    this.closers.push(fn);
  }

  // Runs every closer once.
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0).reverse()) await fn();
  }
}

// Starts the backends, closed when the test (or the owner) ends.
export async function startBackends(
  t: Owner,
  specs: readonly BackendSpec[],
): Promise<Record<string, Backend>> {
  const started: Record<string, Backend> = {};
  t.after(() => Promise.all(Object.values(started).map((backend) => backend.close())));
  for (const spec of specs) started[spec.name] = await startBackend(spec);
  return started;
}

// The pair (stand-in serving `world`, generate-maps, reloader, HAProxy), stopped when the test ends.
export async function startWorldPair(
  t: TestContext,
  world: World,
  options: Partial<PairOptions> = {},
): Promise<Pair> {
  const pair = await startPair({ domain: DOMAIN, tree: worldTree(world), ...options });
  t.after(() => pair.stop());
  return pair;
}

// Stops the pair and checks both processes ended cleanly (exit 0 on SIGTERM).
export async function assertCleanStop(pair: Pair): Promise<void> {
  const exits = await pair.stop();
  assert.deepEqual(
    exits,
    { generateMaps: { code: 0, signal: null }, reloader: { code: 0, signal: null } },
    `clean exits\n${tailLogs(pair.reloader.logs)}\n${tailLogs(pair.generateMaps.logs)}`,
  );
}

// One request through HAProxy on a fresh connection.
export function get(pair: Pair, hostName: string): Promise<SimpleResponse> {
  return httpRequest({ url: pair.url, host: hostName, timeoutMs: 5000 });
}

// One request to `path` under `url` on a fresh connection: the answer body when 200, else `status <n>`.
export async function bodyOrStatus(url: string, hostName: string, path = "/"): Promise<string> {
  const answer = await httpRequest({ url: new URL(path, url).href, host: hostName, timeoutMs: 5000 });
  return answer.status === 200 ? answer.body : `status ${answer.status}`;
}

// `count` requests on fresh connections: how many each answer body got (non-200 answers as `status <n>`).
export async function tally(pair: Pair, hostName: string, count: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const key = await bodyOrStatus(pair.url, hostName);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// The server addresses of one backend block of haproxy-backends.cfg (empty when there is no block).
export function serversOf(backends: string, stack: string): string[] {
  const block = backends.split("\n\n").find((part) => part.startsWith(`backend ${stack}\n`));
  if (block === undefined) return [];
  return block
    .split("\n")
    .filter((line) => line.startsWith("    server "))
    .map((line) => line.trim().split(/\s+/)[2] ?? "");
}

// How many requests each backend has answered so far.
export function requestCounts(backends: Record<string, Backend>): Record<string, number> {
  return Object.fromEntries(Object.entries(backends).map(([name, backend]) => [name, backend.requests]));
}

// A host and the answers it must keep giving.
export interface HostExpectation {
  host: string;
  expect: (answer: SimpleResponse) => boolean;
}

// What a watch saw: requests sent and the ones that failed their expectation.
export interface WatchResult {
  sent: number;
  failures: string[];
}

// Asks every host once every `intervalMs` (fresh connections) until stopped: proof that routing keeps
// answering through a period, at a rate that leaves the machine to the processes under test.
export function watchHosts(
  pair: Pair,
  hosts: readonly HostExpectation[],
  intervalMs = 100,
): { stop(): Promise<WatchResult> } {
  const result: WatchResult = { sent: 0, failures: [] };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const { host: name, expect } of hosts) {
        result.sent += 1;
        const answer = await get(pair, name).catch((error: Error) => error);
        if (answer instanceof Error) result.failures.push(`${name}: ${answer.message}`);
        else if (!expect(answer))
          result.failures.push(`${name}: ${answer.status} ${answer.body.slice(0, 80)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return result;
    },
  };
}
