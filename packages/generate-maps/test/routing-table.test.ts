// The whole model on the recorded scenario and on collisions: expected table, determinism under any order.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildRoutingTable, renderBackends, renderDomainMap } from "../src/index.js";
import { container, MODEL_OPTIONS, recordedInput, type ObjectInput } from "./helpers.js";

test("the recorded 2015-12-19 scenario routes app-r123 (two servers, two aliases) and app-r124 (send-proxy-v2)", () => {
  const table = buildRoutingTable(recordedInput(), MODEL_OPTIONS);
  assert.deepEqual(table.hosts, [
    { fqdn: "app-r123.dev.tld", backend: "app-r123", source: "stack" },
    { fqdn: "app-r124.dev.tld", backend: "app-r124", source: "stack" },
    { fqdn: "shop.dev.tld", backend: "app-r123", source: "alias" },
    { fqdn: "www.dev.tld", backend: "app-r123", source: "alias" },
  ]);
  assert.deepEqual(table.backends, [
    {
      name: "app-r123",
      stack: "app-r123",
      hostClaims: [],
      servers: [
        {
          name: "web-c0000123-0001-4000-8000-000000000001",
          address: "10.42.10.11",
          port: 80,
          container: "app-r123-web-1",
          uuid: "c0000123-0001-4000-8000-000000000001",
        },
        {
          name: "web-c0000123-0002-4000-8000-000000000002",
          address: "10.42.10.12",
          port: 80,
          container: "app-r123-web-2",
          uuid: "c0000123-0002-4000-8000-000000000002",
        },
      ],
    },
    {
      name: "app-r124",
      stack: "app-r124",
      hostClaims: [],
      servers: [
        {
          name: "web-c0000124-0001-4000-8000-000000000001",
          address: "10.42.20.21",
          port: 8080,
          proxy: "send-proxy-v2",
          container: "app-r124-web-1",
          uuid: "c0000124-0001-4000-8000-000000000001",
        },
      ],
    },
  ]);
  assert.deepEqual(
    table.skipped.map((s) => `${s.container} ${s.code}`),
    ["app-r123-web-3 no-ip", "app-r124-web-2 not-running", "app-r125-web-1 unhealthy"],
  );
  assert.deepEqual(table.skippedAliases, []);
  assert.deepEqual(
    table.unlabelled.map((u) => u.container),
    ["adhoc-debug", "db-mysql-1", "lb-HTTP-1", "lb-HTTP-HTTP-generate-maps-1"],
  );
  assert.deepEqual(table.counts, {
    containers: 10,
    labelled: 6,
    routed: 3,
    skipped: 3,
    unlabelled: 4,
    backends: 2,
    tcpBackends: 0,
    hosts: 4,
    skippedAliases: 0,
    notesDropped: 0,
  });
});

test("the recorded change (app-r124-web-2 running, alias beta) adds a server and a host", () => {
  const input = recordedInput();
  const containers = input.containers.map((c) =>
    c["name"] === "app-r124-web-2" ? { ...c, state: "running" } : c,
  );
  const table = buildRoutingTable(
    { containers, aliases: { ...input.aliases, "app-r124": ["beta"] } },
    MODEL_OPTIONS,
  );
  assert.deepEqual(renderDomainMap(table).split("\n"), [
    "app-r123.dev.tld app-r123",
    "app-r124.dev.tld app-r124",
    "beta.dev.tld app-r124",
    "shop.dev.tld app-r123",
    "www.dev.tld app-r123",
    "",
  ]);
  assert.deepEqual(
    table.backends[1]?.servers.map((s) => `${s.address}:${s.port} ${s.proxy}`),
    ["10.42.20.21:8080 send-proxy-v2", "10.42.20.22:8080 send-proxy-v2"],
  );
});

// Stack bank (aliases `shop`, `login.shop`) beside stack shop, whose one labelled container is `shop` as given.
function aliasOverShop(shop: Record<string, unknown>, aliases: unknown = { bank: ["shop", "login.shop"] }) {
  const containers = [
    container({ name: "bank-1", stack_name: "bank", stack_uuid: "57000000-0000-4000-8000-0000000000b1" }),
    container({ name: "shop-1", stack_name: "shop", ...shop }),
  ];
  return buildRoutingTable({ containers, aliases: aliases as Record<string, unknown> }, MODEL_OPTIONS);
}
const skippedAliasesOf = (table: ReturnType<typeof buildRoutingTable>) =>
  table.skippedAliases.map((s) => `${s.stack}:${s.alias}:${s.code}: ${s.reason}`);

test("an alias never takes the host of a stack that is deploying: shop.<domain> does not flip to bank and back", () => {
  const aliases = { bank: ["shop"] };
  // Every lifecycle skip a deploy goes through: shop's names get the 503 meanwhile, never bank's containers.
  for (const [skip, code] of [
    [{ health_state: "initializing" }, "unhealthy"],
    [{ health_state: "reinitializing" }, "unhealthy"],
    [{ state: "starting" }, "not-running"],
    [{ primary_ip: undefined }, "no-ip"],
  ] as const) {
    const deploying = aliasOverShop(skip, aliases);
    assert.deepEqual(
      deploying.skipped.map((s) => `${s.container}:${s.code}`),
      [`shop-1:${code}`],
    );
    // Before, this map held `shop.dev.tld bank` until shop was healthy again.
    assert.deepEqual(renderDomainMap(deploying).split("\n"), ["bank.dev.tld bank", ""], JSON.stringify(skip));
    assert.deepEqual(skippedAliasesOf(deploying), [
      "bank:shop:alias-shadowed: alias shop is the name of stack shop, which has an HTTP-labelled container (none routed at the moment: deploying, stopped or failing its checks) and keeps its host and the names under it",
    ]);
  }
  const healthy = aliasOverShop({ health_state: "healthy" }, aliases);
  assert.deepEqual(renderDomainMap(healthy).split("\n"), ["bank.dev.tld bank", "shop.dev.tld shop", ""]);
  assert.deepEqual(skippedAliasesOf(healthy), [
    "bank:shop:alias-shadowed: alias shop is the name of routed stack shop, which keeps its host",
  ]);
});

test("an alias under a routed stack's host (login.shop) is skipped, as the same name as a hosts claim is refused", () => {
  const L = "map-public-http";
  const table = buildRoutingTable(
    {
      containers: [
        container({
          name: "bank-1",
          stack_name: "bank",
          labels: { [L]: "80", [`${L}.hosts`]: "login.shop.dev.tld" },
        }),
        container({
          name: "shop-1",
          stack_name: "shop",
          labels: { [L]: "80", [`${L}.hosts`]: "*.shop.dev.tld,api.shop.dev.tld" },
        }),
      ],
      aliases: { bank: ["login.shop", "www"] },
    },
    MODEL_OPTIONS,
  );
  // Before, login.shop.dev.tld went to bank, and shop's own claims under its host were refused.
  assert.deepEqual(
    table.hosts.map((h) => `${h.fqdn} ${h.backend} ${h.source}`),
    [
      "*.shop.dev.tld shop hosts",
      "api.shop.dev.tld shop hosts",
      "bank.dev.tld bank stack",
      "shop.dev.tld shop stack",
      "www.dev.tld bank alias",
    ],
  );
  assert.deepEqual(skippedAliasesOf(table), [
    "bank:login.shop:alias-shadowed: alias login.shop is under the host shop.dev.tld of routed stack shop, which keeps its host and the names under it",
  ]);
  assert.deepEqual(
    table.notes.map((note) => `${note.backend} ${note.code} ${note.reason}`),
    [
      "bank host-owned hosts name login.shop.dev.tld belongs to stack shop (its host shop.dev.tld and the names under it)",
    ],
  );
});

test("an alias of the name of a stack with no labelled container (gone, or all unlabelled) still maps it", () => {
  for (const shop of [{ labels: {} }, { stack_name: "other" }]) {
    const table = aliasOverShop(shop);
    assert.deepEqual(
      table.hosts.filter((h) => h.source === "alias").map((h) => `${h.fqdn} ${h.backend}`),
      ["login.shop.dev.tld bank", "shop.dev.tld bank"],
      JSON.stringify(shop),
    );
    assert.deepEqual(table.skippedAliases, []);
  }
});

// Containers that collide: stacks equal once lower-cased, one stack name twice (2016-07-29 lower-cases
// names), and the same server twice; plus aliases on all of them.
function collidingInput(): ObjectInput {
  return {
    containers: [
      ...recordedInput().containers,
      container({ name: "upper-1", stack_name: "Shop", stack_uuid: "s-upper", uuid: "aa-01" }),
      container({ name: "lower-1", stack_name: "shop", stack_uuid: "s-lower", uuid: "aa-02" }),
      container({ name: "lower-2", stack_name: "shop", stack_uuid: "s-lower", uuid: "aa-03" }),
      container({ name: "twin-a", stack_name: "twin", stack_uuid: "t-2", uuid: "bb-01" }),
      container({ name: "twin-b", stack_name: "twin", stack_uuid: "t-1", uuid: "bb-02" }),
      container({ name: "mixed-a", stack_name: "MiXed", uuid: "cc-01" }),
      container({ name: "mixed-b", stack_name: "MIXED", uuid: "cc-02" }),
      container({ name: "dup-a", stack_name: "dup", uuid: "dd-01", primary_ip: "127.0.0.5" }),
      container({ name: "dup-b", stack_name: "dup", uuid: "DD-01", primary_ip: "127.0.0.6" }),
      // The same server line and container name twice (uuids equal once lower-cased), asking for
      // different options: only what is left (options, the uuid as spelled) can order them.
      ...[
        {
          uuid: "EE-01",
          labels: { "map-public-http.maxconn": "10", "map-public-http.balance": "leastconn" },
        },
        { uuid: "ee-01", labels: { "map-public-http.maxconn": "99" } },
        { uuid: "Ee-01", labels: { "map-public-http.maxconn": "many" } },
        { uuid: "eE-01", labels: { "map-public-http.maxconn": "lots" } },
      ].map(({ uuid, labels }) =>
        container({
          name: "same",
          stack_name: "same",
          uuid,
          primary_ip: "127.0.0.7",
          labels: { "map-public-http": "80", ...labels },
        }),
      ),
    ],
    aliases: { "app-r123": ["www", "shop", "both"], twin: ["both", "t"], "app-r125": ["nope"] },
  };
}

test("collisions have one deterministic winner and every loser has a reason", () => {
  const table = buildRoutingTable(collidingInput(), MODEL_OPTIONS);
  const servers = (name: string) =>
    table.backends.find((b) => b.name === name)?.servers.map((s) => s.container);
  assert.deepEqual(servers("shop"), ["lower-1", "lower-2"], "the lower-case spelling wins");
  assert.deepEqual(servers("twin"), ["twin-b"], "same name twice: the first stack uuid wins");
  assert.deepEqual(servers("mixed"), ["mixed-b"], "no lower-case spelling: code-unit order (MIXED < MiXed)");
  assert.deepEqual(servers("dup"), ["dup-a"], "one server name twice: the first server line wins");
  const reasons = Object.fromEntries(table.skipped.map((s) => [s.container, `${s.code}: ${s.reason}`]));
  assert.match(
    reasons["upper-1"] ?? "",
    /^stack-case-conflict: stack "Shop" is backend shop once lower-cased, like stack "shop", which wins/,
  );
  assert.match(
    reasons["twin-a"] ?? "",
    /^stack-case-conflict: stack "twin" \(uuid t-2\) .* "twin" \(uuid t-1\), which wins/,
  );
  assert.match(reasons["mixed-a"] ?? "", /^stack-case-conflict/);
  assert.match(
    reasons["dup-b"] ?? "",
    /^duplicate-server: server name web-dd-01 is already taken in backend dup by container dup-a/,
  );
  assert.deepEqual(
    table.hosts.filter((h) => h.source === "alias").map((h) => `${h.fqdn} ${h.backend}`),
    ["both.dev.tld app-r123", "t.dev.tld twin", "www.dev.tld app-r123"],
  );
  assert.deepEqual(
    table.skippedAliases.map((s) => `${s.stack}:${s.alias}:${s.code}`),
    ["twin:both:alias-conflict", "app-r125:nope:alias-stack-not-routed", "app-r123:shop:alias-shadowed"],
  );
  const backends = new Set(table.backends.map((b) => b.name));
  for (const host of table.hosts)
    assert.ok(backends.has(host.backend), `${host.fqdn} names a declared backend`);
});

test("identical input in any order gives the identical table and identical bytes", () => {
  const input = collidingInput();
  const expected = buildRoutingTable(input, MODEL_OPTIONS);
  const expectedBytes = renderBackends(expected) + renderDomainMap(expected);
  const keys = Object.keys(input.aliases);
  fc.assert(
    fc.property(
      fc.shuffledSubarray([...input.containers], { minLength: input.containers.length }),
      fc.shuffledSubarray(keys, { minLength: keys.length }),
      (containers, order) => {
        const aliases = Object.fromEntries(order.map((key) => [key, input.aliases[key]]));
        const table = buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
        assert.deepEqual(table, expected);
        assert.equal(renderBackends(table) + renderDomainMap(table), expectedBytes);
      },
    ),
    { numRuns: 200 },
  );
});

test("nothing labelled: an empty table, every container counted as unlabelled", () => {
  const table = buildRoutingTable(
    { containers: [{}, { labels: null }], aliases: { x: ["y"] } },
    MODEL_OPTIONS,
  );
  assert.deepEqual(table.hosts, []);
  assert.deepEqual(table.backends, []);
  assert.equal(table.counts.unlabelled, 2);
  assert.deepEqual(
    table.skippedAliases.map((s) => s.code),
    ["alias-stack-not-routed"],
  );
});

test("arbitrary JSON never makes the model throw, and every host names a declared backend", () => {
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom("80", "running", "healthy", "web", "ab-12", "127.0.0.9", null),
    fc.jsonValue(),
  );
  const hostile = fc.record(
    {
      name: value,
      uuid: value,
      primary_ip: value,
      state: value,
      health_state: value,
      stack_name: fc.oneof(value, fc.constantFrom("a", "A", "b")),
      service_name: value,
      labels: fc.oneof(fc.dictionary(fc.constantFrom("map-public-http", "send-proxy", "x"), value), value),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.array(hostile, { maxLength: 12 }),
      fc.dictionary(fc.string(), fc.jsonValue()),
      (containers, aliases) => {
        const table = buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
        const backends = new Set(table.backends.map((b) => b.name));
        for (const host of table.hosts) assert.ok(backends.has(host.backend));
        assert.equal(table.counts.routed + table.counts.skipped + table.counts.unlabelled, containers.length);
      },
    ),
    { numRuns: 300 },
  );
});

test("a stack with only a TCP label serves no HTTP host: an alias of its name is mapped, as before", () => {
  const table = aliasOverShop({ labels: { "map-public-tcp": "5432:5432" } }, { bank: ["shop", "x.shop"] });
  assert.ok(
    table.backends.some((b) => b.name === "tcp_5432"),
    "shop is routed over TCP",
  );
  assert.deepEqual(renderDomainMap(table).split("\n"), [
    "bank.dev.tld bank",
    "shop.dev.tld bank",
    "x.shop.dev.tld bank",
    "",
  ]);
  assert.deepEqual(skippedAliasesOf(table), []);
});
