// A backends file within every cap of the contract (500 000 backends, 500 000 servers, 64 MiB) can still
// ask HAProxy for millions of servers: each backend is rendered into whole blocks of SERVER_SLOTS slots,
// free ones included, and HAProxy allocates every one (≈ 5 KB each, in `haproxy -c` and in every
// process). 500 000 one-server backends (25 MB) were 5 million slots, ≈ 24 GB for each HAProxy process;
// they were assigned, rendered and checked. Now a table over MAX_TOTAL_SLOTS is refused before any slot
// is assigned, like a contract refusal: logged, in /healthz, the running config kept.
import assert from "node:assert/strict";
import { readdir, readlink } from "node:fs/promises";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { MAX_TOTAL_SLOTS, minimumSlots, slotBoundProblem } from "../src/model/slot-bound.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

// A backend of `count` servers (only their number counts here).
const server = (count: number) => ({
  servers: Array.from({ length: count }, (_, index) => ({
    name: `s${index}`,
    address: "10.0.0.1",
    port: 80,
  })),
});

test("the fewest slots a table is rendered into: whole blocks per backend, one block at least", () => {
  assert.equal(minimumSlots([], 10), 0);
  assert.equal(minimumSlots([server(0)], 10), 10, "an empty backend still has a block");
  assert.equal(minimumSlots([server(10)], 10), 10);
  assert.equal(minimumSlots([server(11), server(1)], 10), 30);
  assert.equal(minimumSlots([server(1), server(1), server(1)], 1000, 1500), 2000, "stops past the limit");
});

test("a table is refused one slot past MAX_TOTAL_SLOTS, not at it", () => {
  const atCap = Array.from({ length: MAX_TOTAL_SLOTS / 1000 }, () => server(1));
  assert.equal(slotBoundProblem(atCap, 1000), null);
  assert.equal(slotBoundProblem([server(MAX_TOTAL_SLOTS)], 1), null);
  assert.match(
    slotBoundProblem([...atCap, server(0)], 1000) ?? "",
    /^1001 backends need at least 1001000 server slots at SERVER_SLOTS=1000, more than 1000000 /,
  );
  assert.match(
    slotBoundProblem([server(MAX_TOTAL_SLOTS + 1)], 1) ?? "",
    /need at least 1000001 server slots/,
  );
});

test("backends that need more server slots than the cap are refused before any is assigned; the running config stays", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.71" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.0.72" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const good = {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  };
  const fixture = await createFixture((fn) => t.after(fn), { ...good, args: ["--server-slots", "1000"] });
  const healthUrl = `${String((await fixture.reloader.waitForEvent("status.listening"))["url"])}/healthz`;
  const current = await readlink(`${fixture.stateDir}/current`);
  const generations = (await readdir(fixture.stateDir)).filter((name) => name.startsWith("gen-"));

  // 1 001 backends of one server each (a 60 KB file): 1 001 000 slots at 1 000 a block.
  const others = Array.from({ length: 999 }, (_, index) => ({
    name: `b${index}`,
    servers: [{ address: fresh.address }],
  }));
  const hostile = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
      ...others,
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
  };
  const from = fixture.reloader.logs.length;
  await fixture.write(hostile);
  const said = await fixture.reloader.waitForEvent("inputs.rejected", { from, timeoutMs: 15_000 });
  const reason =
    `${fixture.backendConfig} 1001 backends need at least 1001000 server slots at SERVER_SLOTS=1000, ` +
    `more than ${MAX_TOTAL_SLOTS} `;
  assert.ok(String(said.msg).includes(`(${reason}`), String(said.msg));
  await waitFor(
    async () => {
      const body = (await (await fetch(healthUrl)).json()) as { lastError: string | null };
      return body.lastError?.startsWith(`inputs rejected: ${reason}`) === true;
    },
    { timeoutMs: 5000, message: "/healthz names the slot cap" },
  );
  // Nothing was staged or checked: no snapshot, no `haproxy -c`, `current` kept, nothing applied.
  const events = fixture.reloader.logs.slice(from).map((line) => String(line.event));
  assert.deepEqual(
    events.filter((event) => /^(check\.|reload\.|runtime\.applied)/.test(event)),
    [],
    "no check, reload or runtime step",
  );
  assert.deepEqual(
    (await readdir(fixture.stateDir)).filter((name) => name.startsWith("gen-")),
    generations,
  );
  assert.equal(await readlink(`${fixture.stateDir}/current`), current);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app", 2000)(), "app still answers");
  assert.equal((await httpRequest({ url: fixture.url, host: "fresh.dev.tld" })).status, 503);

  // Under the cap again: applied.
  const again = fixture.reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
    ]),
    map: hostile.map,
  });
  await waitForApply(fixture.reloader, again, 15_000);
  await waitFor(routesTo(fixture.url, "fresh.dev.tld", "fresh", 2000), {
    timeoutMs: 5000,
    message: "fresh routed",
  });
});
