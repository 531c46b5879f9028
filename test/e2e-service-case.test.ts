// End to end, two services of one stack whose names differ only in case: `Web` with path=/api and `web`
// with path=/other. Rancher refuses such names (it compares a stack's service names lower-cased), so only
// wrong metadata lists both. `web` wins backend twins.web (the spelling already in lower case): /other
// reaches web's container, /api is no key and goes to the stack's `/` service, and Web's container gets
// no request. Until 2026-12-05 both were servers of twins.web with Web's options: /other went to the `/`
// service and /api was balanced over Web's and web's containers.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assertCleanStop,
  bodyOrStatus,
  host,
  requestCounts,
  startBackends,
  startWorldPair,
} from "./helpers/e2e.ts";

const L = "map-public-http";

test("services Web (path=/api) and web (path=/other) of one stack: each path reaches one service's containers, Web's none", async (t) => {
  const backends = await startBackends(t, [
    { name: "twins-root-1", host: "127.0.0.91" },
    { name: "twins-upper-1", host: "127.0.0.92" },
    { name: "twins-lower-1", host: "127.0.0.93" },
  ]);
  const started = (name: string) => {
    const backend = backends[name];
    assert.ok(backend, name);
    return backend;
  };
  const root = started("twins-root-1");
  const upper = started("twins-upper-1");
  const lower = started("twins-lower-1");
  const pair = await startWorldPair(t, {
    stacks: {
      twins: [
        { backend: root, service: "root" },
        { backend: upper, service: "Web", labels: { [`${L}.path`]: "/api" } },
        { backend: lower, service: "web", labels: { [`${L}.path`]: "/other" } },
      ],
    },
  });
  await pair.waitForApplied((files) => files.backends.includes("backend twins.web\n"));
  const answers = async (path: string) => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(await bodyOrStatus(pair.url, host("twins"), path));
    return [...seen].sort();
  };
  assert.deepEqual(await answers("/other"), ["twins-lower-1"]);
  assert.deepEqual(await answers("/api"), ["twins-root-1"]);
  assert.equal(requestCounts(backends)["twins-upper-1"], 0, "Web's container got no request");
  await assertCleanStop(pair);
});
