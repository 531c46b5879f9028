// A cycle's union step (a write that adds and removes backends at once) takes the backends and blocks
// renderFiles made its file from, instead of parsing that file and rendering its blocks again: the same
// steps, byte for byte, as from the text alone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRoutingTable, planWrites, renderFiles } from "../src/index.js";
import type { RenderedBackends } from "../src/output/plan-writes.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

test("the union step is made from renderFiles' table and blocks, with the bytes a parse of the file gives", () => {
  const L = "map-public-http";
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: "blog-1", stack_name: "blog" }),
        container({
          name: "shop-1",
          stack_name: "shop",
          service_name: "api",
          labels: { [L]: "80", [`${L}.path`]: "/api", [`${L}.sticky`]: "true", [`${L}.check`]: "/up" },
        }),
        container({ name: "zoo-1", stack_name: "zoo", labels: { [L]: "80", [`${L}.https`]: "only" } }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  const files = renderFiles(table, { backendsPath: "b", domainMapPath: "m" });
  const rendered = files.rendered;
  assert.ok(rendered !== undefined);
  assert.equal(rendered.backends, table.backends);
  // The old files route to `old`, which the new table drops, and the new map to backends the old file
  // lacks: a union step first.
  const old = {
    backends: "# old\nbackend old\n    mode http\n    server web-1 10.0.0.9:80\n",
    map: "old.dev.tld old\n",
  };
  const next = { backends: files.backends.content, map: files.map.content };
  const parsed = planWrites(next, old);
  let blocks = 0;
  const counted: RenderedBackends = {
    backends: rendered.backends,
    blockOf: (backend) => {
      blocks += 1;
      return rendered.blockOf(backend);
    },
  };
  const fromTable = planWrites(next, old, {}, counted);
  assert.deepEqual(
    parsed.map((step) => step.file),
    ["backends", "map", "backends"],
  );
  assert.match(parsed[0]?.content ?? "", /^backend old$/m);
  assert.deepEqual(fromTable, parsed);
  // Before, the given blocks were not looked at: the union parsed the file and rendered each block again.
  assert.equal(blocks, table.backends.length);
});
