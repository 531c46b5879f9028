// /routes and /explain on a table built from hostile metadata stay bounded: every alias of a stack
// repeats its servers (hosts × servers) and every container of one name repeats its backend's hosts, so
// those copies stop at a budget the answer names; the lookups are by key, so a large table stays cheap.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { responseBytes } from "@rancher-haproxy/core";
import {
  buildRoutingTable,
  createStatusState,
  explain,
  generatorRoutes,
  MAX_EXPLAIN_HOST_ENTRIES,
  MAX_ROUTE_NOTES,
  recordCycle,
  renderExplanation,
  renderFiles,
  type ContainerExplanation,
  type HostExplanation,
  type RoutesReport,
  type RoutingTable,
} from "../src/index.js";
import { clockAt, container, generatorOptions, MODEL_OPTIONS, recordedInput } from "./helpers.js";

const context = { version: "v1", options: MODEL_OPTIONS, guard: null };
const MB = 1024 * 1024;

// The /routes handler of a status listener whose last good cycle built `table`.
function routesBody(table: RoutingTable): string {
  const state = createStatusState(0);
  const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
  recordCycle(
    state,
    { ok: true, durationMs: 1, version: "v1", table, files, outcomes: [], guard: null },
    clockAt(1),
  );
  const options = generatorOptions("127.0.0.1:1", "/nowhere");
  const routes = generatorRoutes({ state, registry: new Registry(), options, now: () => 2 });
  const answer = routes["/routes"]?.({ path: "/routes", query: new URLSearchParams() });
  assert.ok(answer !== undefined && !(answer instanceof Promise));
  assert.equal(answer.status, 200);
  return answer.body;
}

// One stack of `servers` containers and `aliases` aliases.
function bigStack(servers: number, aliases: number): RoutingTable {
  const containers = Array.from({ length: servers }, () => container({ stack_name: "shop" }));
  const names = Array.from({ length: aliases }, (_, i) => `alias-${i}`);
  return buildRoutingTable({ containers, aliases: { shop: names } }, MODEL_OPTIONS);
}

test("/routes: 1 000 servers under 1 000 aliases give a body of a few MB that says it was cut, not 188 MB", () => {
  const table = bigStack(1000, 1000);
  assert.equal(table.hosts.length, 1001);
  const body = routesBody(table);
  assert.ok(body.length < 8 * MB, `the body is ${(body.length / MB).toFixed(1)} MB`);
  const report = JSON.parse(body) as RoutesReport;
  assert.equal(report.hosts.length, 1001, "every host is still there, with its backend");
  const listed = report.hosts.filter((host) => host.servers.length > 0);
  assert.ok(listed.length >= 1 && listed.length < 1001);
  for (const host of report.hosts) {
    assert.equal(host.backend, "shop");
    assert.equal(host.serverCount, 1000);
    assert.ok(host.servers.length === 0 || host.servers.length === 1000, "a list is whole or left out");
  }
  // Lists are given while fewer than the limit were: at most the limit plus one list.
  const entries = listed.reduce((sum, host) => sum + host.servers.length, 0);
  const cut = report.cut;
  assert.ok(cut, "the report says it was cut");
  assert.ok(entries >= cut.limit && entries < cut.limit + 1000, `${entries} entries, limit ${cut.limit}`);
  assert.equal(cut.hostsWithoutServers, 1001 - listed.length);
  assert.match(cut.reason, /\/explain\?host=/);

  // The way the cut points to: one host's servers, complete.
  const last = report.hosts[1000];
  assert.ok(last !== undefined && last.servers.length === 0);
  const answer = explain(table, { by: "host", value: last.host }, context).matches[0] as HostExplanation;
  assert.equal(answer.servers.length, 1000);
});

test("/routes: an ordinary table is not cut, every host lists its servers", () => {
  const report = JSON.parse(routesBody(buildRoutingTable(recordedInput(), MODEL_OPTIONS))) as RoutesReport;
  assert.equal(report.cut, null);
  assert.deepEqual(
    report.hosts.map((host) => [host.host, host.serverCount, host.servers.length]),
    [
      ["app-r123.dev.tld", 2, 2],
      ["app-r124.dev.tld", 1, 1],
      ["shop.dev.tld", 2, 2],
      ["www.dev.tld", 2, 2],
    ],
  );
});

test("/explain: 20 000 containers of one name, each with two invalid options, give the first 5 000 with their notes and count the rest, in JSON and text", () => {
  // Two notes each: the notes are those of the containers the answer explains (by uuid), so the 10 000
  // notes of the first 5 000 pass the answer's 5 000.
  const invalid = { "map-public-http.balance": "fastest", "map-public-http.maxconn": "many" };
  const containers = Array.from({ length: 20_000 }, (_, i) =>
    container({ name: "web", stack_name: `s${i}`, labels: { "map-public-http": "80", ...invalid } }),
  );
  containers.push(container({ name: "api", stack_name: "other", labels: { "map-public-http": "80" } }));
  const table = buildRoutingTable({ containers, aliases: { s1: ["one"] } }, MODEL_OPTIONS);
  // The table keeps MAX_ROUTE_NOTES of the 40 000 notes (backends in name order) and says so in one more.
  assert.equal(table.notes.length, MAX_ROUTE_NOTES + 1);
  assert.match(
    table.notes[0]?.reason ?? "",
    new RegExp(`^${40_000 - MAX_ROUTE_NOTES} more option-fallback notes`),
  );
  const answer = explain(table, { by: "container", value: "WEB" }, context);
  // MAX_EXPLAIN_CONTAINERS and MAX_EXPLAIN_NOTES, the host query's 5 000 per list
  const cap = 5000;
  assert.equal(answer.matches.length, cap);
  assert.deepEqual(answer.left, { containers: 20_000 - cap, notes: MAX_ROUTE_NOTES - cap });
  const fallbacks = answer.notes.filter((note) => /container web: option-fallback: /.test(note));
  assert.equal(fallbacks.length, cap, "the notes on the matches, as many as the answer gives");
  assert.ok(!answer.notes.some((note) => note.includes("api")), "none about the other container");
  const one = answer.matches.find((match) => match.kind === "container" && match.backend === "s1");
  assert.deepEqual((one as ContainerExplanation).hosts, ["one.dev.tld", "s1.dev.tld"]);
  assert.ok(JSON.stringify(answer).length < 4 * MB, "a bounded body");
  const text = renderExplanation(answer);
  assert.match(text, /^left out: 15000 containers, 5000 notes \(ask for one container by uuid\)$/m);
  assert.ok(text.length < 4 * MB, "a bounded text");

  // A host query takes the notes of its backend's stack only, and leaves nothing out.
  const host = explain(table, { by: "host", value: "one" }, context);
  assert.deepEqual(
    [
      host.matches.length,
      host.notes.length,
      host.notes.every((note) => note.startsWith("backend s1, container web:")),
    ],
    [1, 2, true],
  );
  assert.deepEqual(host.left, { containers: 0, notes: 0 });
  assert.doesNotMatch(renderExplanation(host), /^left out/m);
});

test("/explain: containers of one name in a stack of 3 000 aliases list hosts up to the budget, then say so", () => {
  const shared = buildRoutingTable(
    {
      containers: Array.from({ length: 100 }, () => container({ name: "web", stack_name: "shop" })),
      aliases: { shop: Array.from({ length: 3000 }, (_, i) => `alias-${i}`) },
    },
    MODEL_OPTIONS,
  );
  const many = explain(shared, { by: "container", value: "web" }, context);
  const routed = many.matches as ContainerExplanation[];
  assert.equal(routed.length, 100);
  const listed = routed.filter((match) => match.hosts.length > 0);
  assert.equal(listed.length, Math.ceil(MAX_EXPLAIN_HOST_ENTRIES / 3001));
  assert.ok(listed.every((match) => match.hosts.length === 3001 && match.hostCount === undefined));
  const left = routed.filter((match) => match.hosts.length === 0);
  assert.ok(left.every((match) => match.hostCount === 3001));
  assert.match(
    many.notes.join("\n"),
    new RegExp(`^${left.length} routed containers have hostCount but no hosts`, "m"),
  );
  assert.match(renderExplanation(many), /hosts: 3001 \(left out, see the notes\)/);
  // One of them by uuid: its hosts in full.
  const one = explain(shared, { by: "container", value: left[0]?.uuid ?? "" }, context);
  assert.equal((one.matches[0] as ContainerExplanation).hosts.length, 3001);
});

test("/explain?host=: a stack of 12 000 unlabelled containers lists 5 000 of them and says how many it left out", () => {
  const containers = Array.from({ length: 12_000 }, () => container({ stack_name: "idle", labels: {} }));
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const answer = explain(table, { by: "host", value: "idle" }, context);
  const host = answer.matches[0] as HostExplanation;
  assert.equal(answer.found, true);
  assert.equal(host.notRouted.length, 5000);
  assert.deepEqual(host.left, { servers: 0, notRouted: 7000, aliases: 0 });
  assert.ok(JSON.stringify(answer).length < 4 * MB, "a bounded body");
  assert.match(renderExplanation(answer), /left out: 0 servers, 7000 containers, 0 aliases/);
});

test("/routes is built once per good cycle: every request until the next one gets the same encoded bytes", () => {
  const table = bigStack(50, 2);
  const state = createStatusState(0);
  const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
  const cycle = { ok: true as const, durationMs: 1, version: "v1", table, files, outcomes: [], guard: null };
  recordCycle(state, cycle, clockAt(1));
  const options = generatorOptions("127.0.0.1:1", "/nowhere");
  const routes = generatorRoutes({ state, registry: new Registry(), options, now: () => 2 });
  const ask = () => {
    const answer = routes["/routes"]?.({ path: "/routes", query: new URLSearchParams() });
    assert.ok(answer !== undefined && !(answer instanceof Promise));
    return answer;
  };
  const first = ask();
  const bytes = responseBytes(first);
  assert.equal(bytes.toString("utf8"), first.body);
  assert.equal(responseBytes(ask()), bytes, "the same bytes, not a copy per request");
  // A wrapper that rewrites the body gets its new text sent, never the kept bytes.
  assert.equal(responseBytes({ ...first, body: "{}\n" }).toString("utf8"), "{}\n");
  recordCycle(state, cycle, clockAt(3));
  const next = ask();
  assert.notEqual(responseBytes(next), bytes, "a new good cycle builds it again");
  assert.match(next.body, /"at": "1970-01-01T00:00:00\.003Z"/);
});
