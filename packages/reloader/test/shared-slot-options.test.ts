// Free slots share one options object per set (loadFreeSlots, readSlots), and carriedSets looks at each
// shared object once: a slot whose container still runs is passed over without marking its object, so a
// free slot of the same object after it still carries its set; slots.json read back gives one frozen
// object per distinct set.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { SharedBackend, SharedServer } from "@rancher-haproxy/core";
import { carriedSets } from "../src/model/carried-sets.ts";
import type { ServerOptions, Slot } from "../src/model/server-slots.ts";
import { SNAPSHOT_SLOTS } from "../src/output/snapshot-layout.ts";
import { readSlots } from "../src/sources/read-slots.ts";

const web: SharedServer = { name: "web-1", address: "10.0.0.1", port: 80 };
const backend: SharedBackend = { name: "app", servers: [web] };

test("carriedSets carries a shared set once, and a running container's slot does not hide it", () => {
  const limited: ServerOptions = { maxconn: 5 };
  const proxied: ServerOptions = { proxy: "send-proxy" };
  const previous: Slot[] = [
    { server: "web-1", options: limited },
    { server: null, options: limited },
    { server: "gone-1", options: proxied },
    { server: null, options: proxied },
    { server: null, options: limited },
  ];
  const now: Slot[] = [{ server: "web-1", options: {} }, ...previous.slice(1).map(() => free())];
  const servers = new Map([["web-1", web]]);
  assert.deepEqual(carriedSets(previous, now, backend, servers, [{}], 8), [limited, proxied]);
  // the container's own set is never carried, shared or not
  assert.deepEqual(carriedSets(previous, now, backend, servers, [{ maxconn: 5 }], 8), [proxied]);
  // a free slot a newcomer takes now carries nothing, and hides nothing from a later one of its object
  now[1] = { server: "new-1", options: {} };
  assert.deepEqual(carriedSets(previous, now, backend, servers, [{}], 8), [proxied, limited]);
});

test("readSlots gives the slots of one option set one frozen object, each set its own", async () => {
  const dir = await mkdtemp(join(tmpdir(), "rh-shared-options-"));
  try {
    const json = {
      app: [
        { server: "web-1", options: { maxconn: 5 } },
        { server: null, options: { maxconn: 5 } },
        { server: null, options: { proxy: "send-proxy", maxconn: 5 } },
        { server: null, options: { maxconn: 5, junk: 1 } },
        { server: null, options: {} },
        { server: null },
      ],
      web: [{ server: null, options: { maxconn: 5 } }],
    };
    await writeFile(join(dir, SNAPSHOT_SLOTS), JSON.stringify(json));
    const app = (await readSlots(dir))?.get("app") ?? [];
    const options = app.map((slot) => slot.options);
    assert.deepEqual(options, [
      { maxconn: 5 },
      { maxconn: 5 },
      { proxy: "send-proxy", maxconn: 5 },
      { maxconn: 5 },
      {},
      {},
    ]);
    assert.equal(options[1], options[0]);
    assert.equal(options[3], options[0], "a dropped key reads as the set it leaves");
    assert.notEqual(options[2], options[0]);
    assert.equal(options[5], options[4]);
    assert.ok(options.every((set) => Object.isFrozen(set)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A free slot with no options.
function free(): Slot {
  return { server: null, options: {} };
}
