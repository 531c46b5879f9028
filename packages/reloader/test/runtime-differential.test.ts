// "The files stay the truth", differentially: a real reloader (so a real HAProxy) is driven through a
// seeded random sequence of shared-file changes (containers added, removed, re-addressed and given
// other options, slots run out, map keys added, re-pointed and removed, path and wildcard keys among
// them, a TCP backend, backend options, a backend added and removed, a container moved to another
// backend, a backend emptied and refilled, one address in two backends), and after each one the live
// worker (`show servers state`, `show map`) is compared with a second, fresh HAProxy started from the
// reloader's `current` snapshot: what a restart would run. Deterministic: the seed fixes the sequence.
import assert from "node:assert/strict";
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  renderBackends,
  renderDomainMap,
  type BackendOptions,
  type SharedBackend,
  type SharedServer,
} from "@rancher-haproxy/core";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { seededRandom } from "../../test-support/src/random/seeded-random.ts";
import { hashInputs } from "../src/sources/read-inputs.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { freshView, readView } from "./helpers/haproxy-view.ts";

const SEED = 20261204;
const STEPS = 50;
const SLOTS = 3;

// The world the files are rendered from: backends (servers with their options) and map keys.
interface World {
  backends: Map<string, { options?: BackendOptions; mode?: "tcp"; servers: Map<string, SharedServer> }>;
  hosts: Map<string, string>;
}

/** the map keys a change may add: plain, alias, wildcard and path keys */
const KEYS = [
  "app.dev.tld",
  "www.dev.tld",
  "*.app.dev.tld",
  "shop.dev.tld",
  "app.dev.tld/api",
  "app.dev.tld/api/v1",
  "shop.dev.tld/api",
  "*.x.dev.tld/api",
  "x.dev.tld",
  "extra.dev.tld",
  "app.dev.tld/API",
  "*.dev.tld",
];

function initialWorld(): World {
  const server = (name: string, host: number, extra: Partial<SharedServer> = {}): [string, SharedServer] => [
    name,
    { name, address: `127.0.77.${host}`, port: 8000 + host, ...extra },
  ];
  return {
    backends: new Map([
      ["app", { servers: new Map([server("web-a1", 1), server("web-a2", 2)]) }],
      [
        "shop",
        {
          options: { sticky: true, balance: "leastconn" },
          servers: new Map([server("web-b1", 3, { cookie: "b1" })]),
        },
      ],
      ["app.api", { options: { stripPath: "/api" }, servers: new Map([server("api-c1", 4)]) }],
      ["tcp_5000", { mode: "tcp", servers: new Map([server("db-d1", 5)]) }],
      [
        "chk",
        {
          options: { check: "/health" },
          servers: new Map([server("chk-e1", 6, { check: true }), server("chk-e2", 7, { check: true })]),
        },
      ],
      ["px", { servers: new Map([server("px-f1", 8, { proxy: "send-proxy-v2" })]) }],
    ]),
    hosts: new Map([
      ["app.dev.tld", "app"],
      ["shop.dev.tld", "shop"],
      ["app.dev.tld/api", "app.api"],
    ]),
  };
}

function render(world: World): { backends: string; map: string } {
  const backends: SharedBackend[] = [...world.backends].map(([name, backend]) => ({
    name,
    ...(backend.mode ? { mode: backend.mode } : {}),
    ...(backend.options ? { options: backend.options } : {}),
    servers: [...backend.servers.values()],
  }));
  const hosts = [...world.hosts].map(([fqdn, backend]) => ({ fqdn, backend }));
  return { backends: renderBackends({ backends }), map: renderDomainMap({ hosts }) };
}

// One random change of `world` (in place), described.
function change(world: World, next: () => number, step: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const names = [...world.backends.keys()];
  const httpNames = names.filter((name) => !name.startsWith("tcp_"));
  const roll = next();
  const address = () => {
    const host = 10 + Math.floor(next() * 200);
    return { address: `127.0.78.${host}`, port: 9000 + Math.floor(next() * 50) };
  };
  if (roll < 0.22) {
    const name = pick(names);
    const backend = world.backends.get(name);
    if (!backend || backend.servers.size >= SLOTS * 2) return "nothing (full)";
    const server: SharedServer = { name: `c${step}-${name.replace(/[^a-z0-9]/g, "")}`, ...address() };
    if (name === "px" && next() < 0.8) server.proxy = "send-proxy-v2";
    if (backend.options?.check !== undefined) server.check = true;
    if (next() < 0.15 && !name.startsWith("tcp_")) server.maxconn = 50;
    if (backend.options?.sticky) server.cookie = `k${step}`;
    backend.servers.set(server.name, server);
    return `add ${server.name} to ${name}`;
  }
  if (roll < 0.4) {
    const name = pick(names);
    const backend = world.backends.get(name);
    const victim = backend ? pick([...backend.servers.keys()]) : undefined;
    if (!backend || victim === undefined) return "nothing (empty)";
    backend.servers.delete(victim);
    return `remove ${victim} from ${name}`;
  }
  if (roll < 0.55) {
    const name = pick(names);
    const backend = world.backends.get(name);
    const moved = backend ? pick([...backend.servers.values()]) : undefined;
    if (!backend || moved === undefined) return "nothing (empty)";
    const to = next() < 0.5 ? { ...address() } : { address: moved.address, port: moved.port + 1 };
    backend.servers.set(moved.name, { ...moved, ...to });
    return `re-address ${moved.name} in ${name} to ${to.address}:${to.port}`;
  }
  if (roll < 0.62) {
    const name = pick(httpNames);
    const backend = world.backends.get(name);
    const server = backend ? pick([...backend.servers.values()]) : undefined;
    if (!backend || server === undefined) return "nothing (empty)";
    if (next() < 0.5) {
      const { proxy, ...rest } = server;
      const toggled: SharedServer = proxy === undefined ? { proxy: "send-proxy", ...rest } : rest;
      backend.servers.set(server.name, toggled);
      return `toggle the proxy option of ${server.name} in ${name}`;
    }
    const { maxconn, cookie, ...rest } = server;
    backend.servers.set(server.name, {
      ...rest,
      ...(maxconn === undefined ? { maxconn: 20 } : {}),
      ...(cookie === undefined ? {} : { cookie }),
    });
    return `toggle maxconn of ${server.name} in ${name}`;
  }
  if (roll < 0.76) {
    const key = pick(KEYS);
    const was = world.hosts.get(key);
    if (was !== undefined && next() < 0.4) {
      world.hosts.delete(key);
      return `del map ${key}`;
    }
    const to = pick(httpNames);
    world.hosts.set(key, to);
    return `${was === undefined ? "add" : "set"} map ${key} ${to}`;
  }
  if (roll < 0.79) {
    // Odd but valid: two containers swap addresses, one renamed in place, a clone of another's address,
    // a sticky container's cookie value changed.
    const name = pick(names);
    const backend = world.backends.get(name);
    const servers = backend ? [...backend.servers.values()] : [];
    const [a, b] = [pick(servers), pick(servers)];
    if (!backend || a === undefined || b === undefined) return "nothing";
    const kind = Math.floor(next() * 4);
    if (kind === 0 && a.name !== b.name) {
      backend.servers.set(a.name, { ...a, address: b.address, port: b.port });
      backend.servers.set(b.name, { ...b, address: a.address, port: a.port });
      return `swap ${a.name} and ${b.name} in ${name}`;
    }
    if (kind === 1) {
      backend.servers.delete(a.name);
      backend.servers.set(`${a.name}x`, { ...a, name: `${a.name}x` });
      return `rename ${a.name} in ${name}`;
    }
    if (kind === 2 && backend.servers.size < SLOTS * 2) {
      const clone = `${a.name}y${step}`;
      backend.servers.set(clone, { ...a, name: clone });
      return `clone ${a.name}'s address in ${name}`;
    }
    if (a.cookie !== undefined) {
      backend.servers.set(a.name, { ...a, cookie: `z${step}` });
      return `new cookie value for ${a.name}`;
    }
    return "nothing";
  }
  if (roll < 0.9) {
    // Across backends in one change: a container moving to another backend (same name and address), a
    // backend emptied (held, no server line), a container given another's address (in another backend
    // or its own) with a key re-pointed to its backend in the same change.
    const [from, to] = [pick(httpNames), pick(httpNames)];
    const [source, target] = [world.backends.get(from), world.backends.get(to)];
    const moved = source ? pick([...source.servers.values()]) : undefined;
    if (!source || !target) return "nothing";
    const kind = Math.floor(next() * 3);
    if (kind === 0 && moved !== undefined && from !== to && target.servers.size < SLOTS * 2) {
      source.servers.delete(moved.name);
      const { check: _check, cookie: _cookie, ...rest } = moved;
      target.servers.set(moved.name, {
        ...rest,
        ...(target.options?.check !== undefined ? { check: true } : {}),
        ...(target.options?.sticky ? { cookie: `m${step}` } : {}),
      });
      return `move ${moved.name} from ${from} to ${to}`;
    }
    if (kind === 1 && source.servers.size > 0) {
      source.servers.clear();
      return `empty ${from}`;
    }
    if (moved !== undefined && target.servers.size < SLOTS * 2) {
      const name = `d${step}-${to.replace(/[^a-z0-9]/g, "")}`;
      target.servers.set(name, {
        name,
        address: moved.address,
        port: moved.port,
        ...(target.options?.check !== undefined ? { check: true } : {}),
        ...(target.options?.sticky ? { cookie: `d${step}` } : {}),
      });
      const key = pick(KEYS);
      world.hosts.set(key, to);
      return `${moved.name}'s address also in ${to} as ${name}, set map ${key} ${to}`;
    }
    return "nothing";
  }
  if (roll < 0.95) {
    const chk = world.backends.get("chk");
    if (chk && roll >= 0.92) {
      // The check path dropped or back (its containers' `check` with it), held (emptied) or not.
      const check = chk.options?.check === undefined;
      chk.options = check ? { check: "/health" } : undefined;
      for (const [name, { check: _check, ...rest }] of chk.servers)
        chk.servers.set(name, check ? { ...rest, check: true } : rest);
      return `toggle chk's check path (${chk.servers.size} containers)`;
    }
    const backend = world.backends.get("app");
    if (!backend) return "nothing";
    backend.options = backend.options ? undefined : { balance: "source" };
    return "toggle app's balance option";
  }
  if (world.backends.has("extra")) {
    world.backends.delete("extra");
    for (const [key, backend] of world.hosts) if (backend === "extra") world.hosts.delete(key);
    return "remove backend extra";
  }
  world.backends.set("extra", {
    servers: new Map([[`e${step}`, { name: `e${step}`, ...address() }]]),
  });
  world.hosts.set("extra.dev.tld", "extra");
  return "add backend extra";
}

// Each slot's server line in the `current` snapshot without its address and `disabled`: what a slot was
// loaded with, which no runtime step can change (the PROXY option is not in any runtime answer).
async function slotLines(fixture: Fixture): Promise<Map<string, string>> {
  const current = join(fixture.stateDir, await readlink(join(fixture.stateDir, "current")));
  const lines = new Map<string, string>();
  let backend = "";
  for (const line of (await readFile(join(current, "backends.cfg"), "utf8")).split("\n")) {
    backend = /^backend (\S+)/.exec(line)?.[1] ?? backend;
    const server = /^\s+server (\S+) \S+(.*?)( disabled)?$/.exec(line);
    if (server) lines.set(`${backend}/${server[1]}`, server[2] ?? "");
  }
  return lines;
}

// Writes the world and waits until the reloader applied exactly these files; the event it applied with.
// `from`: the log index before the first write of the step. "reload.applied" when any of the step's
// writes reloaded.
async function apply(
  fixture: Fixture,
  files: { backends: string; map: string },
  from: number,
): Promise<string> {
  const base = await readFile(join(fixture.stateDir, "haproxy.cfg"));
  const hash = hashInputs(base, Buffer.from(files.backends), Buffer.from(files.map));
  await fixture.write(files);
  const line = await waitFor(
    () =>
      fixture.reloader.logs
        .slice(from)
        .find(
          (entry) =>
            (entry.event === "runtime.applied" || entry.event === "reload.applied") &&
            entry["inputsHash"] === hash,
        ) ?? null,
    { timeoutMs: 20_000, message: "the change to be applied" },
  );
  const reloaded = fixture.reloader.logs.slice(from).some((entry) => entry.event === "reload.applied");
  return reloaded ? "reload.applied" : String(line.event);
}

test("after every change of a seeded random run, the live worker equals a fresh HAProxy on the snapshot", async (t) => {
  const world = initialWorld();
  const fixture = await createFixture((fn) => t.after(fn), {
    ...render(world),
    env: { SERVER_SLOTS: String(SLOTS) },
  });
  await fixture.reloader.waitForEvent("inputs.live", { from: 0 });
  const next = seededRandom(SEED);
  const outcomes: Record<string, number> = {};
  const history: string[] = [];
  let fallbacks = 0;
  let loaded = await slotLines(fixture);
  for (let step = 1; step <= STEPS; step++) {
    // A reloader killed (HAProxy runs on, the next one adopts it) and one stopped and started again:
    // the changes after either must still be applied consistently.
    if (step === 20 || step === 40) {
      fallbacks += fixture.reloader.count("runtime.fallback");
      if (step === 20) {
        process.kill(fixture.reloader.pid, "SIGKILL");
        await fixture.reloader.exited;
      } else await fixture.reloader.stop();
      await fixture.start();
      await fixture.reloader.waitForEvent("inputs.live", { from: 0 });
      // (an adopted master reloads when what it runs is not the files; a started one loads `current`)
      const loads = ["haproxy.started", "adopt.reloaded", "reload.applied"];
      if (loads.some((event) => fixture.reloader.count(event) > 0)) loaded = await slotLines(fixture);
      assert.deepEqual(
        await readView(join(fixture.stateDir, "master.sock")),
        await freshView(fixture),
        `after the restart before step ${step}\n${history.join("\n")}`,
      );
    }
    // Every fifth step a burst: two changes written back to back, the second while the first applies.
    const burst = step % 5 === 0;
    const changes: string[] = [];
    const from = fixture.reloader.logs.length;
    // (a burst's second change never undoes its first: the files the step ends with are new)
    const start = JSON.stringify(render(world));
    for (let part = 0; part < (burst ? 2 : 1); part++) {
      const before = JSON.stringify(render(world));
      let what = change(world, next, step * 10 + part);
      while ([before, start].includes(JSON.stringify(render(world))))
        what = change(world, next, step * 10 + part);
      changes.push(what);
      if (burst && part === 0) await fixture.write(render(world));
    }
    const what = changes.join(" + ");
    const event = await apply(fixture, render(world), from);
    history.push(`${step}: ${what} → ${event}`);
    outcomes[event] = (outcomes[event] ?? 0) + 1;
    // A runtime change leaves every slot's options as the last reload loaded them.
    if (event === "reload.applied") loaded = await slotLines(fixture);
    else
      assert.deepEqual(
        await slotLines(fixture),
        loaded,
        `step ${step} changed a slot's options at runtime\n${history.join("\n")}`,
      );
    const live = await readView(join(fixture.stateDir, "master.sock"));
    const fresh = await freshView(fixture);
    assert.deepEqual(
      live,
      fresh,
      `after step ${step}, the live worker and a fresh HAProxy differ\n${history.join("\n")}`,
    );
  }
  assert.equal(
    fallbacks + fixture.reloader.count("runtime.fallback"),
    0,
    "no runtime step fell back to a reload",
  );
  // The run exercises both paths (the seed's sequence: most changes runtime, some reloads).
  assert.ok((outcomes["runtime.applied"] ?? 0) >= STEPS / 2, JSON.stringify(outcomes));
  assert.ok((outcomes["reload.applied"] ?? 0) >= 3, JSON.stringify(outcomes));
});
