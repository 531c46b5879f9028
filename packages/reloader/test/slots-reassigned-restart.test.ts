// A reloader restarted on a state dir whose `current` slots.json is over MAX_TOTAL_SLOTS (a backend a
// burst grew, its one kept container in the top slot, or a snapshot written before the cap): the start
// stages the inputs with every container given a slot afresh (snapshot.slots-reassigned, one block),
// and the next scale event is a runtime step on that new assignment, not a reload. The store-level
// test (slots-assigned-cap) checks the staging; this one checks, through the real reloader and HAProxy,
// that what the start records as running is the assignment it staged, not the one read back (with that
// one recorded, the scale event below was a state-unknown reload).
import assert from "node:assert/strict";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  readReloadCounter,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { generationName, SNAPSHOT_SLOTS } from "../src/output/snapshot-layout.ts";
import { MAX_TOTAL_SLOTS } from "../src/model/slot-bound.ts";
import type { Slot } from "../src/model/server-slots.ts";
import { SlotsJsonRenderer } from "../src/render/slots-json-renderer.ts";
import { cappedHaproxy } from "./helpers/capped-haproxy.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

/** SERVER_SLOTS' highest value */
const BLOCK = 1000;

test("a restart on a slots.json over MAX_TOTAL_SLOTS stages it afresh, and the next scale event is a runtime step", async (t) => {
  const one = await startBackend({ name: "one", host: "127.0.0.81" });
  const two = await startBackend({ name: "two", host: "127.0.0.82" });
  t.after(() => Promise.all([one.close(), two.close()]));
  const map = renderTestMap({ "app.dev.tld": "app" });
  // renderTestBackends names the servers s1, s2, … in order
  const fixture = await createFixture((fn) => t.after(fn), {
    deferStart: true,
    backends: renderTestBackends([{ name: "app", servers: [{ address: one.address }] }]),
    map,
  });
  // What an earlier run left: app grown to 1 000 001 slots, its one container (s1) in the top one.
  const grown: Slot[] = Array.from({ length: MAX_TOTAL_SLOTS }, () => ({ server: null, options: {} }));
  grown.push({ server: "s1", options: {} });
  await mkdir(join(fixture.stateDir, generationName(1)), { recursive: true, mode: 0o700 });
  await writeFile(
    join(fixture.stateDir, generationName(1), SNAPSHOT_SLOTS),
    new SlotsJsonRenderer().render(new Map([["app", grown]])),
  );
  await symlink(generationName(1), join(fixture.stateDir, "current"));

  // A regression that renders the 1 001 000 slots fails fast (cappedHaproxy).
  const bin = await cappedHaproxy(fixture.dir);
  const reloader = await fixture.start(["--server-slots", String(BLOCK), "--haproxy-bin", bin]);
  const said = reloader.logs.filter((line) => line.event === "snapshot.slots-reassigned");
  assert.deepEqual(
    said.map((line) => [line.slots, line.fresh]),
    [[MAX_TOTAL_SLOTS + BLOCK, BLOCK]],
  );
  await waitFor(routesTo(fixture.url, "app.dev.tld", "one", 2000), { timeoutMs: 5000, message: "one" });

  // A second container: a runtime step on the fresh assignment, no reload.
  const before = await readReloadCounter(fixture.stateDir);
  const from = reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: one.address }, { address: two.address }] },
    ]),
    map,
  });
  const applied = await waitForApply(reloader, from);
  const planned = reloader.logs.slice(from).find((line) => line.event === "reload.planned");
  assert.equal(applied.event, "runtime.applied", JSON.stringify(planned));
  assert.equal((await readReloadCounter(fixture.stateDir)).reloads, before.reloads, "no reload");
  const seen = new Set<string>();
  await waitFor(
    async () => {
      const answer = await httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 2000 });
      seen.add(`${answer.status} ${answer.body}`);
      return seen.has("200 one") && seen.has("200 two");
    },
    { timeoutMs: 5000, message: "both containers answer" },
  );
  assert.deepEqual([...seen].sort(), ["200 one", "200 two"]);
  // The snapshot the worker now runs holds the fresh assignment with the newcomer in the next slot.
  const slots = JSON.parse(
    await readFile(join(fixture.stateDir, "current", SNAPSHOT_SLOTS), "utf8"),
  ) as Record<string, Slot[]>;
  assert.equal(slots["app"]?.length, BLOCK);
  assert.deepEqual(
    slots["app"]?.slice(0, 3).map((slot) => slot.server),
    ["s1", "s2", null],
  );
});
