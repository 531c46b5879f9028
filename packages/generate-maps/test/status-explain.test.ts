// Explain: every way a container or a host can be routed or not, answered from the model's own routing
// table (the recorded scenario plus synthetic cases), and the `--explain` command against the stand-in:
// text, --json, and exit codes 0 (found), 1 (metadata unreadable), 3 (no such container or host).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createMetadataClient } from "@rancher-haproxy/core";
import { buildTree, loadRecordedTree, remapIps, startMetadataServer } from "@rancher-haproxy/test-support";
import {
  buildRoutingTable,
  createStatusState,
  explain,
  explainOnce,
  generatorRoutes,
  recordCycle,
  renderExplanation,
  renderFiles,
  type ContainerExplanation,
  type Explanation,
  type HostExplanation,
} from "../src/index.js";
import {
  clockAt,
  container,
  generatorOptions,
  MODEL_OPTIONS,
  recordedInput,
  runExplain,
  tempDir,
} from "./helpers.js";

const TABLE = buildRoutingTable(recordedInput(), MODEL_OPTIONS);
const context = { version: "v1", options: MODEL_OPTIONS, guard: null };

function ask(by: "container" | "host" | "any", value: string, table = TABLE): Explanation {
  return explain(table, { by, value }, context);
}
const containerOf = (answer: Explanation, index = 0) => answer.matches[index] as ContainerExplanation;
const hostOf = (answer: Explanation) => answer.matches[0] as HostExplanation;

test("a routed container: its backend, server line and every host that reaches it", () => {
  const answer = ask("container", "app-r123-web-1");
  assert.equal(answer.found, true);
  assert.deepEqual(containerOf(answer), {
    kind: "container",
    container: "app-r123-web-1",
    uuid: "c0000123-0001-4000-8000-000000000001",
    stack: "app-r123",
    status: "routed",
    code: null,
    reason: "routed: server web-c0000123-0001-4000-8000-000000000001 of backend app-r123",
    meaning: null,
    backend: "app-r123",
    server: {
      name: "web-c0000123-0001-4000-8000-000000000001",
      address: "10.42.10.11",
      port: 80,
      proxy: null,
    },
    hosts: ["app-r123.dev.tld", "shop.dev.tld", "www.dev.tld"],
  });
  // By uuid, in any case, gives the same container.
  const byUuid = ask("container", "C0000123-0001-4000-8000-000000000001");
  assert.equal(containerOf(byUuid).container, "app-r123-web-1");
  assert.equal(containerOf(ask("container", "app-r124-web-1")).server?.proxy, "send-proxy-v2");
});

test("skipped containers carry the model's code, reason and what the code means", () => {
  const cases: [string, string, RegExp][] = [
    ["app-r123-web-3", "no-ip", /no primary_ip/],
    ["app-r124-web-2", "not-running", /state is "stopped"/],
    ["app-r125-web-1", "unhealthy", /health_state is "unhealthy"/],
  ];
  for (const [name, code, reason] of cases) {
    const answer = ask("any", name);
    assert.equal(answer.found, true, name);
    const match = containerOf(answer);
    assert.equal(match.status, "skipped");
    assert.equal(match.code, code);
    assert.match(match.reason, reason);
    assert.ok(match.meaning && match.meaning.length > 0);
    assert.equal(match.server, null);
  }
  // The same rules as the model for anything else: a bad port and a standalone container.
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: "bad-port", labels: { "map-public-http": "80a" } }),
        container({ name: "loner", stack_name: null }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  assert.equal(containerOf(ask("container", "bad-port", table)).code, "port-invalid");
  assert.equal(containerOf(ask("container", "loner", table)).code, "no-stack");
});

test("an unlabelled container is found, not routed, and the answer names the label to add", () => {
  const answer = ask("container", "db-mysql-1");
  assert.equal(answer.found, true);
  const match = containerOf(answer);
  assert.equal(match.status, "unlabelled");
  assert.match(match.reason, /no map-public-http label: add map-public-http=<port>/);
  assert.equal(containerOf(ask("any", "adhoc-debug")).stack, null);
});

test("hosts: a stack's own host, an alias, a sub-domain through its parent, and the stack's skipped containers", () => {
  const own = hostOf(ask("host", "APP-R124.dev.tld."));
  assert.equal(own.host, "app-r124.dev.tld");
  assert.equal(own.status, "routed");
  assert.equal(own.source, "stack");
  assert.deepEqual(
    own.servers.map((server) => server.address),
    ["10.42.20.21"],
  );
  assert.deepEqual(
    own.notRouted.map((entry) => [entry.container, entry.code]),
    [["app-r124-web-2", "not-running"]],
  );

  const alias = ask("host", "www");
  assert.equal(alias.found, true);
  assert.equal(hostOf(alias).source, "alias");
  assert.equal(hostOf(alias).backend, "app-r123");
  assert.match(hostOf(alias).reason, /an alias of stack app-r123/);

  const sub = hostOf(ask("host", "a.b.shop.dev.tld:8080"));
  assert.equal(sub.status, "routed");
  assert.equal(sub.source, "parent");
  assert.equal(sub.via, "shop.dev.tld");
  assert.equal(sub.backend, "app-r123");
  assert.equal(hostOf(ask("host", "a.b.c.d.e.f.app-r123.dev.tld")).status, "not-routed", "deeper than 5");
});

test("hosts not routed: a stack whose containers are all skipped, skipped aliases, unknown names, other domains", () => {
  const stack = ask("host", "app-r125.dev.tld");
  assert.equal(stack.found, true);
  assert.equal(hostOf(stack).status, "not-routed");
  assert.match(hostOf(stack).reason, /stack app-r125 has no routed container/);
  assert.deepEqual(
    hostOf(stack).notRouted.map((entry) => entry.code),
    ["unhealthy"],
  );

  const table = buildRoutingTable(
    {
      containers: [container({ stack_name: "shop" }), container({ name: "b1", stack_name: "blog" })],
      aliases: { shop: ["store", "bad_alias"], blog: ["store"], gone: ["old"] },
    },
    MODEL_OPTIONS,
  );
  const lost = hostOf(ask("host", "old", table));
  assert.equal(lost.status, "not-routed");
  assert.deepEqual(
    lost.aliases.map((skip) => skip.code),
    ["alias-stack-not-routed"],
  );
  // store goes to blog (first by name); shop's claim is listed with its reason.
  const store = hostOf(ask("host", "store.dev.tld", table));
  assert.equal(store.backend, "blog");
  assert.deepEqual(
    store.aliases.map((skip) => [skip.stack, skip.code]),
    [["shop", "alias-conflict"]],
  );

  const unknown = ask("any", "nothing-here");
  assert.equal(unknown.found, false);
  assert.match(hostOf(unknown).reason, /no stack and no alias is named nothing-here/);
  assert.match(unknown.notes.join(" "), /no container is named nothing-here/);
  const elsewhere = ask("host", "app-r123.example.com");
  assert.equal(elsewhere.found, false);
  assert.match(hostOf(elsewhere).reason, /not under the domain dev\.tld/);
  assert.equal(ask("container", "app-r123.dev.tld").found, false, "a container query never becomes a host");
});

test("a host whose hosts claims are refused or lost says so, with the notes of the backends that made them", () => {
  // Until 2026-12-04 `?host=foo.dev.tld` with bank's refused claim of `*.dev.tld` answered 404 "no stack
  // and no alias is named foo", `?host=www.other.com` "is not under the domain dev.tld: only
  // <stack>.dev.tld and aliases are routed" (hosts labels route such names), and neither named the claim.
  const hosts = "map-public-http.hosts";
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: "shop-1", stack_name: "shop" }),
        container({
          name: "bank-1",
          stack_name: "bank",
          labels: { "map-public-http": "80", [hosts]: "*.dev.tld,www.both.com" },
        }),
        container({
          name: "blog-1",
          stack_name: "blog",
          labels: { "map-public-http": "80", [hosts]: "www.both.com" },
        }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  const wildcard = ask("host", "foo", table);
  assert.deepEqual([wildcard.found, hostOf(wildcard).status], [true, "not-routed"]);
  assert.equal(
    hostOf(wildcard).reason,
    "no stack and no alias is named foo, and the hosts claims that would route it are refused (see notes)",
  );
  assert.deepEqual(wildcard.notes, [
    "backend bank: host-owned: hosts name *.dev.tld would take every name under dev.tld no key maps (stacks' own names among them)",
  ]);
  // www.both.com goes to bank (first by name); blog's lost claim is named too
  const both = ask("host", "www.both.com", table);
  assert.equal(hostOf(both).backend, "bank");
  assert.ok(
    both.notes.includes(
      "backend blog: host-conflict: www.both.com (hosts) is also claimed by backend bank (hosts), which wins",
    ),
    both.notes.join("\n"),
  );
  const other = ask("host", "www.other.com", table);
  assert.equal(other.found, false);
  assert.equal(
    hostOf(other).reason,
    "www.other.com is not under the domain dev.tld, and no hosts label of a routed container maps it",
  );
  assert.deepEqual(other.notes, []);
});

test("the text rendering says routed / NOT routed with the reasons, and the metadata version", () => {
  const text = renderExplanation(ask("any", "app-r123"));
  assert.match(text, /^host app-r123\.dev\.tld: routed to backend app-r123\n/);
  assert.match(text, /server web-c0000123-0001-4000-8000-000000000001 10\.42\.10\.11:80\n/);
  assert.match(
    text,
    /container app-r123-web-3 \(stack app-r123, uuid [^)]+\): NOT routed\n\s+reason: no-ip: /,
  );
  assert.match(text, /\(metadata version v1, domain dev\.tld\)\n$/);
});

test("/explain with two of container=, host=, q= is refused with 400 naming them, not answered for one", () => {
  // Until 2026-12-04 `?host=shop.dev.tld&container=app-r125-web-1` answered for the container alone (found,
  // 200): the host asked for was silently ignored, and the answer read as being about it.
  const state = createStatusState(0);
  const files = renderFiles(TABLE, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
  recordCycle(
    state,
    { ok: true, durationMs: 1, version: "v1", table: TABLE, files, outcomes: [], guard: null },
    clockAt(1),
  );
  const options = generatorOptions("127.0.0.1:1", "/nowhere");
  const routes = generatorRoutes({ state, registry: new Registry(), options, now: () => 2 });
  const get = (query: string) => {
    const answer = routes["/explain"]?.({ path: "/explain", query: new URLSearchParams(query) });
    assert.ok(answer !== undefined && !(answer instanceof Promise));
    return answer;
  };
  for (const [query, named] of [
    ["host=shop.dev.tld&container=app-r125-web-1", "container= and host="],
    ["container=app-r125-web-1&q=shop&format=text", "container= and q="],
    ["host=shop&host=www", "host= 2 times"],
  ] as const) {
    const answer = get(query);
    assert.equal(answer.status, 400, query);
    assert.match(
      answer.body,
      new RegExp(`^one query at a time: got ${named}; usage: /explain\\?container=`),
      query,
    );
  }
  // one of them, or others left empty, is answered as before
  assert.equal(get("host=shop.dev.tld&container=").status, 200);
  assert.equal(get("container=app-r125-web-1&format=text").status, 200);
  assert.equal(get("q=nope").status, 404);
});

test("--explain against live metadata: text, --json, exit 0 found, 3 unknown, 1 unreadable (down, or an entry not JSON), 2 with --once", async (t) => {
  const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()) });
  t.after(() => server.close());
  const api = ["--api-host", server.hostPort];

  const skipped = await runExplain(t, [...api, "--explain", "app-r123-web-3"]);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /^container app-r123-web-3 .*: NOT routed\n\s+reason: no-ip: no primary_ip\n/);
  assert.equal(skipped.stderr, "", "nothing else on stderr at the default level");
  assert.ok(!skipped.stdout.includes("PRIVATE KEY"));

  const json = await runExplain(t, [...api, "--explain", "www.dev.tld", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as Explanation;
  assert.equal(parsed.found, true);
  assert.equal(parsed.version, server.version);
  const host = parsed.matches[0] as HostExplanation;
  assert.deepEqual(
    [host.status, host.source, host.backend, host.servers.map((s) => s.address)],
    ["routed", "alias", "app-r123", ["127.0.0.11", "127.0.0.12"]],
  );

  const unknown = await runExplain(t, [...api, "--explain", "no-such-thing"]);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stdout, /no container is named no-such-thing/);

  await server.setFault({ kind: "invalid-entry" });
  const badEntry = await runExplain(t, [...api, "--explain", "app-r123-web-3"]);
  assert.equal(badEntry.code, 1);
  assert.match(
    badEntry.stderr,
    /^generate-maps: cannot read metadata \(invalid-json\): .*\/containers: answer is not JSON/,
  );
  assert.equal(badEntry.stdout, "");

  await server.setFault({ kind: "refuse" });
  const down = await runExplain(t, [...api, "--explain", "app-r123-web-3"]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^generate-maps: cannot read metadata \(network\): .*ECONNREFUSED/);
  assert.equal(down.stdout, "");

  const both = await runExplain(t, [...api, "--explain", "x", "--once"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--explain cannot be combined with --once or --dry-run/);
});

// C0 and C1 controls, DEL, line/paragraph separators, bidi overrides and isolates (core's safeLogText).
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test("the text rendering escapes what metadata names: a hostile name, stack, uuid or alias forges no line and no terminal escape", () => {
  const hostile = "web\n  backend shop: server evil 6.6.6.6:80\n  hosts: bank.dev.tld\u001b[2J\u009b2J\u202e";
  const evilStack = "shop\n  forged stack 6.6.6.6\u001b[31m";
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: hostile, stack_name: "shop" }),
        container({ name: hostile, stack_name: "shop", state: "stopped" }),
        container({ name: hostile, stack_name: evilStack }),
        container({ name: hostile, stack_name: "shop", uuid: "x\n  forged uuid 6.6.6.6\u001b[2J" }),
        container({ name: hostile, stack_name: "shop", labels: {} }),
      ],
      aliases: { [evilStack]: ["shop"], shop: ["www"] },
    },
    MODEL_OPTIONS,
  );
  const byName = explain(table, { by: "container", value: hostile }, context);
  assert.equal(byName.matches.length, 5);
  const byHost = explain(table, { by: "host", value: "shop" }, context);
  assert.ok(hostOf(byHost).notRouted.length >= 3 && hostOf(byHost).aliases.length === 1);
  for (const answer of [byName, byHost]) {
    const text = renderExplanation(answer);
    assert.doesNotMatch(text, RAW_CONTROL, "no raw control character");
    const lines = text.split("\n");
    // Every forged piece stays inside the line of its own entry: a container's headline, a reason or an
    // alias line, never a line of its own.
    for (const line of lines.filter((l) => l.includes("6.6.6.6")))
      assert.match(line, /^\s*(container |reason: |alias |note: )/, line);
    assert.equal(lines.filter((l) => /^\s*(backend shop: server evil|hosts: bank|forged)/.test(l)).length, 0);
  }
  // One headline per container asked about.
  const headlines = renderExplanation(byName)
    .split("\n")
    .filter((line) => line.startsWith("container "));
  assert.equal(headlines.length, 5);
  assert.ok(headlines.every((line) => line.startsWith("container web\\n  backend shop: server evil")));
});

test("--explain's one stderr line for a metadata error carries the error body escaped", async (t) => {
  const body = "oops\ngenerate-maps: forged line\u001b[2J\u009b2J\u202e";
  const http = createServer((_request, response) => {
    response.writeHead(500, { "content-type": "text/plain" });
    response.end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const { port } = http.address() as AddressInfo;
  const apiHost = `127.0.0.1:${port}`;
  const client = createMetadataClient({ apiHost, apiVersion: "2015-12-19", timeoutMs: 2000 });
  const outcome = await explainOnce(client, generatorOptions(apiHost, "/nowhere"), "web");
  assert.equal(outcome.exitCode, 1);
  assert.match(outcome.stderr, /^generate-maps: cannot read metadata \(http-status\): .*HTTP 500: oops\\n/);
  assert.doesNotMatch(outcome.stderr, RAW_CONTROL);
  assert.equal(outcome.stderr.split("\n").length, 2, "one line");
});

test("--explain where metadata does not know the generator's own container explains the aliases the loop keeps (the map's)", async (t) => {
  const blog = { name: "blog", services: [{ name: "web", port: 80, containers: [{ ip: "127.0.0.60" }] }] };
  // The generator's address unknown to metadata (as after a redeploy): its aliases path answers 404.
  const tree = buildTree({
    stacks: [blog],
    domainSelf: { ip: "127.0.0.222", metadata: { aliases: { blog: ["news"] } } },
  });
  const server = await startMetadataServer({ tree });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const options = generatorOptions(server.hostPort, dir);
  await writeFile(options.domainMapPath, "blog.dev.tld blog\nnews.dev.tld blog\n");
  const client = createMetadataClient({
    apiHost: server.hostPort,
    apiVersion: "2015-12-19",
    timeoutMs: 2000,
  });
  const outcome = await explainOnce(client, { ...options, json: true }, "news.dev.tld");
  // Before, the aliases read as none: "no stack or alias is called that" (exit 3) while the loop routed it.
  assert.equal(outcome.exitCode, 0, outcome.stdout);
  const answer = JSON.parse(outcome.stdout) as Explanation;
  assert.deepEqual(
    [hostOf(answer).status, hostOf(answer).source, hostOf(answer).backend],
    ["routed", "alias", "blog"],
  );
  assert.ok(
    answer.notes.some((note) => /does not know the generator's own container/.test(note)),
    answer.notes.join("\n"),
  );
});

test("a host whose backend is held with no server says HAProxy answers 503 (403 over HTTP for https=only)", () => {
  const labels = (extra: Record<string, string>) => ({
    labels: { "map-public-http": "80", "map-public-http.hosts": "www.shop.com", ...extra },
  });
  const held = (extra: Record<string, string>) =>
    buildRoutingTable(
      {
        containers: [container({ stack_name: "shop", health_state: "unhealthy", ...labels(extra) })],
        aliases: {},
      },
      MODEL_OPTIONS,
    );
  const plain = hostOf(ask("host", "www.shop.com", held({})));
  assert.equal(plain.status, "routed");
  assert.deepEqual(plain.servers, []);
  assert.match(
    plain.reason,
    /; held with no server \(none of its containers is routed now, see notRouted\): HAProxy answers 503$/,
  );
  const only = hostOf(ask("host", "www.shop.com", held({ "map-public-http.https": "only" })));
  assert.match(only.reason, /HAProxy answers 503 \(403 over plain HTTP: https=only\)$/);
  // a served backend says nothing of the kind
  const served = buildRoutingTable(
    { containers: [container({ stack_name: "shop", ...labels({}) })], aliases: {} },
    MODEL_OPTIONS,
  );
  assert.doesNotMatch(hostOf(ask("host", "www.shop.com", served)).reason, /held/);
});
