// The union step's salvage of a refused old backends file, as far as HAProxy: a write that removes `shop`
// and adds `blog` over an old backends file the contract refuses (25 of shop's server lines carry an
// option a newer generator wrote) renames first a union that declares shop with its two readable
// servers. The real reloader, reading that state beside the old map, accepts it and HAProxy serves
// shop.dev.tld from those two. Until 2026-12-05 the union had no `shop` (the contract listed 20 of its
// refused lines, the salvage's second read refused the block for the other 5): the reloader waited that
// state out as not settled and shop.dev.tld stayed unrouted.
// The second test: an old block naming one server twice, which the reloader refuses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSharedFiles } from "@rancher-haproxy/core";
import { planWrites } from "@rancher-haproxy/generate-maps";
import { httpRequest, startBackend } from "../packages/test-support/src/http/index.ts";
import { waitFor } from "../packages/test-support/src/haproxy/index.ts";
import { createFixture } from "../packages/reloader/test/helpers/fixture.ts";

// Writes the union step beside the old map and waits until HAProxy serves shop.dev.tld from web-1 and
// web-2, with no refused or unsettled inputs logged on the way.
async function servedFromUnion(
  fixture: Awaited<ReturnType<typeof createFixture>>,
  backends: string,
  map: string,
): Promise<void> {
  const from = fixture.reloader.logs.length;
  await fixture.write({ backends, map });
  const seen = new Set<string>();
  await waitFor(
    async () => {
      const answer = await httpRequest({ url: fixture.url, host: "shop.dev.tld", timeoutMs: 2000 });
      if (answer.status === 200) seen.add(answer.body);
      return seen.size === 2;
    },
    { timeoutMs: 15_000, message: "shop.dev.tld answered by web-1 and web-2 (the union's shop)" },
  );
  assert.deepEqual([...seen].sort(), ["web-1", "web-2"]);
  const logs = fixture.reloader.logs.slice(from);
  assert.ok(!logs.some((line) => ["inputs.rejected", "inputs.unsettled"].includes(String(line.event))));
}

test("a union step salvaged from an old block with 25 refused lines is applied by the reloader and served by HAProxy", async (t) => {
  const web1 = await startBackend({ name: "web-1", host: "127.0.93.1" });
  const web2 = await startBackend({ name: "web-2", host: "127.0.93.2" });
  t.after(() => Promise.all([web1.close(), web2.close()]));
  const fixture = await createFixture((fn) => t.after(fn), { backends: "", map: "" });
  const refused = Array.from({ length: 25 }, (_, i) => `    server new-${i} 127.0.93.9:${i + 1} weight 10`);
  const old = {
    backends: [
      "backend shop",
      "    mode http",
      `    server web-1 ${web1.address}`,
      ...refused,
      `    server web-2 ${web2.address}`,
      "",
    ].join("\n"),
    map: "shop.dev.tld shop\n",
  };
  assert.equal(parseSharedFiles({ backends: old.backends, map: old.map }).ok, false);
  const next = {
    backends: "backend blog\n    mode http\n    server web-1 127.0.93.3:80\n",
    map: "blog.dev.tld blog\n",
  };
  const [union, ...rest] = planWrites(next, old);
  assert.deepEqual(
    [union, ...rest].map((step) => step?.file),
    ["backends", "map", "backends"],
  );

  await servedFromUnion(fixture, union?.content ?? "", old.map);
});

test("a union step over an old block with a server name used twice keeps the block without its second line, and the reloader applies it", async (t) => {
  // The old file's `shop` names web-1 twice (a hand edit on the volume: the generator never writes it).
  // Until 2026-12-05 the contract accepted that and the reloader refused it in a check of its own, so
  // the union step, which kept the whole block, was refused (inputs.rejected, /healthz 503) and
  // shop.dev.tld stayed unrouted until the final file. The contract now refuses the second line, and
  // the union's salvage keeps shop with the servers it accepts.
  const web1 = await startBackend({ name: "web-1", host: "127.0.93.4" });
  const web2 = await startBackend({ name: "web-2", host: "127.0.93.5" });
  t.after(() => Promise.all([web1.close(), web2.close()]));
  const fixture = await createFixture((fn) => t.after(fn), { backends: "", map: "" });
  const old = {
    backends: [
      "backend shop",
      "    mode http",
      `    server web-1 ${web1.address}`,
      "    server web-1 127.0.93.9:1",
      `    server web-2 ${web2.address}`,
      "",
    ].join("\n"),
    map: "shop.dev.tld shop\n",
  };
  const next = {
    backends: "backend blog\n    mode http\n    server web-1 127.0.93.3:80\n",
    map: "blog.dev.tld blog\n",
  };
  const steps = planWrites(next, old);
  assert.deepEqual(
    steps.map((step) => step.file),
    ["backends", "map", "backends"],
  );

  await servedFromUnion(fixture, steps[0]?.content ?? "", old.map);
});
