// End to end, `/explain?host=` against what HAProxy does with the same name: a name whose own keys all
// have a path is passed over by a request outside those prefixes, which goes on to the wildcard (or
// mapped parent) that has a key of its own. Until 2026-12-04 explain stopped at the path-only name and
// said the host went to the path backend, while a browser got the wildcard's stack.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readStatusJson } from "@rancher-haproxy/test-support";
import { assertCleanStop, bodyOrStatus, startBackends, startWorldPair } from "./helpers/e2e.ts";

const L = "map-public-http";

interface HostMatch {
  kind: string;
  status: string;
  source: string | null;
  backend: string | null;
  via: string | null;
  reason: string;
}

test("explain of a name with only path keys names the backend its other paths reach, as HAProxy routes them", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.81" },
    { name: "blog-api-1", host: "127.0.0.82" },
  ]);
  const pair = await startWorldPair(t, {
    stacks: {
      shop: [{ backend: backends["shop-web-1"]!, labels: { [`${L}.hosts`]: "*.example.com" } }],
      blog: [
        {
          backend: backends["blog-api-1"]!,
          service: "api",
          labels: { [`${L}.path`]: "/api", [`${L}.hosts`]: "www.example.com" },
        },
      ],
    },
  });
  await pair.waitForApplied((files) => files.map.includes("www.example.com/api"));
  const body = (path: string) => bodyOrStatus(pair.url, "www.example.com", path);
  assert.equal(await body("/api/x"), "blog-api-1");
  assert.equal(await body("/"), "shop-web-1", "HAProxy: outside /api, the wildcard's stack");

  const listening = pair.generateMaps.logs.find((line) => line.event === "status.listening");
  const explained = await readStatusJson<{ matches: HostMatch[] }>(
    String(listening?.["url"]),
    "/explain?host=www.example.com",
  );
  const match = explained.json.matches.find((entry) => entry.kind === "host");
  assert.deepEqual(
    [match?.status, match?.source, match?.backend, match?.via],
    ["routed", "wildcard", "shop", "*.example.com"],
    JSON.stringify(match),
  );
  assert.match(match?.reason ?? "", /by path prefix: www\.example\.com\/api → blog\.api/);
  await assertCleanStop(pair);
});
