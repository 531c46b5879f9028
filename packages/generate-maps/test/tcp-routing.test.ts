// TCP services in the model: `map-public-tcp=<public port>:<container port>` makes a `tcp_<public port>`
// backend (mode tcp); a port claimed by two stacks has one deterministic winner and a reported loser;
// bad labels and refused containers are skipped entries (route "tcp") with a reason, never a throw.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  buildRoutingTable,
  createSkipLog,
  explain,
  NOTE_CODES,
  renderBackends,
  renderDomainMap,
  renderExplanation,
  SKIP_CODES,
} from "../src/index.js";
import { captureLogger, container, MODEL_OPTIONS } from "./helpers.js";

const tcp = (value: unknown, more: Record<string, unknown> = {}) => ({ "map-public-tcp": value, ...more });
const table = (containers: Record<string, unknown>[], options = MODEL_OPTIONS) =>
  buildRoutingTable({ containers, aliases: {} }, options);
// A port held for `stack` (lower-cased): its backend stays with no server, as a held path's, so the down
// and the up are runtime steps (until 2026-12-05 the port had no backend: each was a reload).
const heldPort = (stack: string) => [{ name: "tcp_5432", mode: "tcp", servers: [], stack, hostClaims: [] }];

test("a labelled container is a server of tcp_<public port> in mode tcp, with its PROXY option", () => {
  const db = container({
    name: "db-1",
    stack_name: "Data",
    service_name: "pg",
    primary_ip: "127.0.0.41",
    labels: tcp("5432:6432", { "map-public-tcp.proxy-protocol": "send-proxy-v2" }),
  });
  const routed = table([db]);
  assert.deepEqual(routed.backends, [
    {
      name: "tcp_5432",
      mode: "tcp",
      servers: [
        {
          name: `pg-${String(db["uuid"])}`,
          address: "127.0.0.41",
          port: 6432,
          container: "db-1",
          uuid: String(db["uuid"]),
          proxy: "send-proxy-v2",
        },
      ],
      stack: "data",
      hostClaims: [],
    },
  ]);
  assert.deepEqual(routed.hosts, [], "no host name routes to a TCP service");
  assert.deepEqual(routed.unlabelled, [], "a TCP-labelled container is labelled");
  assert.deepEqual([routed.counts.backends, routed.counts.tcpBackends, routed.counts.routed], [0, 1, 1]);
  assert.match(
    renderBackends(routed),
    /\nbackend tcp_5432\n {4}mode tcp\n {4}server pg-\S+ 127\.0\.0\.41:6432 send-proxy-v2\n/,
  );
  assert.equal(renderDomainMap(routed), "");
});

test("a container with both labels is routed by host and by TCP port", () => {
  const both = container({ name: "both-1", labels: { "map-public-http": "8080", ...tcp("6379:6379") } });
  const routed = table([both]);
  assert.deepEqual(
    routed.backends.map((backend) => [backend.name, backend.mode ?? "http", backend.servers[0]?.port]),
    [
      ["shop", "http", 8080],
      ["tcp_6379", "tcp", 6379],
    ],
  );
  const explained = explain(
    routed,
    { by: "container", value: "both-1" },
    {
      version: "1",
      options: MODEL_OPTIONS,
      guard: null,
    },
  );
  assert.deepEqual(
    explained.matches.map((match) => (match.kind === "container" ? match.backend : null)),
    ["shop", "tcp_6379"],
  );
  assert.match(explained.matches[1]?.reason ?? "", /backend tcp_6379 \(TCP service on public port 6379/);
  // generate-maps does not read TCP_PORTS: the reason says what the port needs, never that it is listed
  // (until 2026-12-05: "listed in the reloader's TCP_PORTS", whatever TCP_PORTS said)
  assert.match(
    explained.matches[1]?.reason ?? "",
    / of backend tcp_6379 \(TCP service on public port 6379: HAProxy listens on it only if the reloader's TCP_PORTS lists it\)$/,
  );
});

test("explain names a routed container's stack, not its backend (tcp_<port>, <stack>.<service>)", () => {
  const routed = table([
    container({ name: "db-1", stack_name: "data", labels: tcp("5432:5432") }),
    container({
      name: "api-1",
      service_name: "api",
      labels: { "map-public-http": "80", "map-public-http.path": "/api" },
    }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const stackOf = (name: string) =>
    explain(routed, { by: "container", value: name }, context).matches.map((match) =>
      match.kind === "container" ? `${match.stack} ${match.backend}` : null,
    );
  // before: "tcp_5432 tcp_5432" and "shop.api shop.api" (text: `container db-1 (stack tcp_5432, …)`)
  assert.deepEqual(stackOf("db-1"), ["data tcp_5432"]);
  assert.deepEqual(stackOf("api-1"), ["shop shop.api"]);
});

test("explain of a TCP-only stack's host says the stack serves TCP ports, not that no stack has that name", () => {
  // Until 2026-12-04 `--explain db` exited 3 with "no stack and no alias is named db" while stack db's
  // tcp_5432 was routed, and a TCP stack with an unlabelled sidekick "has no routed container".
  const routed = table([
    container({ name: "db-pg-1", stack_name: "db", service_name: "pg", labels: tcp("5432:5432") }),
    container({
      name: "cache-redis-1",
      stack_name: "Cache",
      service_name: "redis",
      labels: tcp("6379:6379"),
    }),
    container({ name: "cache-side-1", stack_name: "Cache", service_name: "side", labels: {} }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const hostAnswer = (name: string) => {
    const answer = explain(routed, { by: "any", value: name }, context);
    const [match] = answer.matches;
    assert.ok(match?.kind === "host", name);
    return {
      found: answer.found,
      status: match.status,
      reason: match.reason,
      notRouted: match.notRouted.length,
    };
  };
  assert.deepEqual(hostAnswer("db"), {
    found: true,
    status: "not-routed",
    reason:
      "stack db serves no host: none of its containers is routed by the map-public-http label; it serves TCP, backend tcp_5432",
    notRouted: 0,
  });
  assert.deepEqual(hostAnswer("cache.dev.tld"), {
    found: true,
    status: "not-routed",
    reason:
      "stack cache serves no host: none of its containers is routed by the map-public-http label (see notRouted); it serves TCP, backend tcp_6379",
    notRouted: 1,
  });
  assert.equal(hostAnswer("nope").found, false);
});

test("explain says which route of a container with both labels is not routed: its TCP one, not the host it serves", () => {
  // Until 2026-12-04 the host answer listed shop-web-1, the server it had just named, under "not routed in
  // this stack" as "NOT routed" (its TCP port was lost to alpha), and ?container= said "routed" and "NOT
  // routed" of one container with nothing telling the two routes apart.
  const routed = table([
    container({
      name: "shop-web-1",
      stack_name: "shop",
      labels: { "map-public-http": "80", ...tcp("5432:5432") },
    }),
    container({ name: "alpha-db-1", stack_name: "alpha", labels: tcp("5432:5432") }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const host = explain(routed, { by: "host", value: "shop" }, context);
  const [match] = host.matches;
  assert.ok(match?.kind === "host");
  assert.deepEqual(
    match.notRouted.map((entry) => [entry.container, entry.code, entry.route]),
    [["shop-web-1", "tcp-port-conflict", "tcp"]],
  );
  assert.match(
    renderExplanation(host),
    /\n {4}container shop-web-1 \(stack shop, uuid [^)]+\): NOT routed by TCP port\n/,
  );
  const both = explain(routed, { by: "container", value: "shop-web-1" }, context);
  assert.deepEqual(
    both.matches.map((entry) => (entry.kind === "container" ? [entry.status, entry.route] : null)),
    [
      ["routed", undefined],
      ["skipped", "tcp"],
    ],
  );
  const db = explain(routed, { by: "container", value: "alpha-db-1" }, context);
  assert.deepEqual(
    db.matches.map((entry) => (entry.kind === "container" ? [entry.status, entry.route] : null)),
    [["routed", "tcp"]],
  );
  assert.match(
    renderExplanation(db),
    /^container alpha-db-1 \(stack alpha, uuid [^)]+\): routed by TCP port\n/,
  );
});

test("an alias of a stack routed by TCP port only says so, not that the stack has no routed container", () => {
  // Until 2026-12-04 its alias-stack-not-routed reason was "stack db has no routed container" while
  // db's tcp_5432 was routed.
  const routed = buildRoutingTable(
    {
      containers: [container({ name: "db-pg-1", stack_name: "db", labels: tcp("5432:5432") })],
      aliases: { db: ["postgres"], gone: ["old"] },
    },
    MODEL_OPTIONS,
  );
  assert.deepEqual(
    routed.skippedAliases.map((skip) => [skip.alias, skip.code, skip.reason]),
    [
      ["old", "alias-stack-not-routed", "stack gone has no routed container"],
      [
        "postgres",
        "alias-stack-not-routed",
        "stack db has no container routed by host: it is routed by TCP port only, and an alias is a host name",
      ],
    ],
  );
});

test("a public port claimed by two stacks goes to the lowest stack name, in any input order; the loser is reported", () => {
  const claims = [
    container({ name: "beta-1", stack_name: "beta", labels: tcp("5432:5432") }),
    container({ name: "alpha-1", stack_name: "Alpha", labels: tcp("5432:15432") }),
    container({ name: "alpha-2", stack_name: "Alpha", service_name: "replica", labels: tcp("5432:15432") }),
    container({ name: "gamma-1", stack_name: "gamma", labels: tcp("6379:6379") }),
  ];
  fc.assert(
    fc.property(fc.shuffledSubarray(claims, { minLength: claims.length }), (shuffled) => {
      const routed = table(shuffled);
      assert.deepEqual(
        routed.backends.map((backend) => [backend.name, backend.servers.map((server) => server.container)]),
        [
          ["tcp_5432", ["alpha-2", "alpha-1"]],
          ["tcp_6379", ["gamma-1"]],
        ],
        "Alpha (both services) wins 5432 over beta; servers sorted by name (replica-…, web-…)",
      );
      assert.deepEqual(routed.skipped, [
        {
          container: "beta-1",
          uuid: String(claims[0]?.["uuid"]),
          stack: "beta",
          code: "tcp-port-conflict",
          reason:
            'map-public-tcp: public TCP port 5432 is claimed by stack "beta" and by stack "Alpha", which wins (lowest stack name)',
          route: "tcp",
        },
      ]);
      assert.equal(renderBackends(routed), renderBackends(table(claims)), "same bytes in any order");
    }),
    { numRuns: 50 },
  );
});

test("a stack keeps its public port while none of its containers serves: the rival stack never gets it", () => {
  // Until 2026-12-04 the winner was picked among the serving containers only: while stack data
  // redeployed (unhealthy, stopped), zz-rival's database took data's port and its clients.
  const rival = container({ name: "rival-1", stack_name: "zz-rival", labels: tcp("5432:5432") });
  for (const down of [
    { health_state: "unhealthy" },
    { state: "stopped" },
    { health_state: "initializing" },
  ]) {
    const data = container({ name: "data-1", stack_name: "data", labels: tcp("5432:6432"), ...down });
    const routed = table([rival, data]);
    assert.deepEqual(
      routed.backends,
      heldPort("data"),
      `tcp_5432 has no server while data is ${JSON.stringify(down)}`,
    );
    const skip = routed.skipped.find((entry) => entry.container === "rival-1");
    assert.equal(skip?.code, "tcp-port-conflict");
    assert.match(
      skip?.reason ?? "",
      /claimed by stack "zz-rival" and by stack "data", which wins \(lowest stack name\), and keeps it while none of its containers serves/,
    );
  }
  const back = table([rival, container({ name: "data-1", stack_name: "data", labels: tcp("5432:6432") })]);
  assert.deepEqual(
    back.backends.map((backend) => [backend.name, backend.servers.map((server) => server.container)]),
    [["tcp_5432", ["data-1"]]],
  );
  const alone = table([rival, container({ name: "web-1", stack_name: "data", labels: tcp("bad") })]);
  assert.deepEqual(
    alone.backends.map((backend) => [backend.name, backend.servers.map((server) => server.container)]),
    [["tcp_5432", ["rival-1"]]],
    "a label naming no port claims none",
  );
});

test("a port kept for a stack whose containers are refused says so: the rival's reason and the note name their skip codes", () => {
  // A bad PROXY option or an address outside BACKEND_NETWORKS keeps the port as a stopped container does
  // (a rival database must not get the clients while a label is fixed); until 2026-12-04 the rival's
  // tcp-port-conflict said the winner was "down or redeploying", and the tcp-port-held note "down,
  // redeploying or skipped", while the winner's container ran, refused for a label or an address.
  const rival = container({ name: "rival-1", stack_name: "zz-rival", labels: tcp("5432:5432") });
  const badProxy = tcp("5432:5432", { "map-public-tcp.proxy-protocol": "send-proxy-v3" });
  const cases: [string, Record<string, unknown>[], string][] = [
    ["a bad PROXY option", [{ labels: badProxy }], "skipped as proxy-invalid"],
    ["an address outside BACKEND_NETWORKS", [{ primary_ip: "192.0.2.7" }], "skipped as ip-not-allowed"],
    [
      "one stopped, one refused",
      [{ state: "stopped" }, { primary_ip: "192.0.2.7" }, { labels: badProxy }],
      "skipped as ip-not-allowed, not-running, proxy-invalid",
    ],
    [
      "stopped and unhealthy",
      [{ state: "stopped" }, { health_state: "unhealthy" }],
      "down or redeploying: not-running, unhealthy",
    ],
  ];
  for (const [name, overrides, cause] of cases) {
    const data = overrides.map((more) =>
      container({ name: "data-1", stack_name: "data", labels: tcp("5432:5432"), ...more }),
    );
    const routed = table([rival, ...data]);
    assert.deepEqual(routed.backends, heldPort("data"), name);
    const conflict = routed.skipped.find((skip) => skip.container === "rival-1");
    assert.equal(
      conflict?.reason,
      'map-public-tcp: public TCP port 5432 is claimed by stack "zz-rival" and by stack "data", which wins (lowest stack name), ' +
        `and keeps it while none of its containers serves (${cause}): the port closes connections meanwhile`,
      name,
    );
    assert.deepEqual(
      routed.notes.map((note) => note.reason),
      [
        `public TCP port 5432 is kept for stack "data", none of whose containers labelled for it serves (${cause}): the port closes connections until one does`,
      ],
      name,
    );
  }
});

test("bad TCP labels and refused containers are skipped with a reason, never routed", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "no container port",
      { labels: tcp("5432") },
      "tcp-label-invalid",
      /is not <public port>:<container port>/,
    ],
    ["public port 0", { labels: tcp("0:80") }, "tcp-label-invalid", /"0:80"/],
    ["public port 65536", { labels: tcp("65536:80") }, "tcp-label-invalid", /"65536:80"/],
    ["container port 0", { labels: tcp("5432:0") }, "tcp-label-invalid", /"5432:0"/],
    ["three parts", { labels: tcp("5432:80:1") }, "tcp-label-invalid", /"5432:80:1"/],
    ["an injection", { labels: tcp("5432:80\nfrontend x") }, "tcp-label-invalid", /is not/],
    ["a number", { labels: tcp(5432) }, "tcp-label-invalid", /5432 is not/],
    [
      "a bad PROXY option",
      { labels: tcp("5432:80", { "map-public-tcp.proxy-protocol": "send-proxy-v3" }) },
      "proxy-invalid",
      /map-public-tcp\.proxy-protocol="send-proxy-v3"/,
    ],
    ...["proxy_protocol", "Proxy-Protocol", "proxy-protocl", "proxyprotocol"].map(
      (name): [string, Record<string, unknown>, string, RegExp] => [
        `a misspelt PROXY option label (${name})`,
        { labels: tcp("5432:80", { [`map-public-tcp.${name}`]: "send-proxy" }) },
        "proxy-invalid",
        new RegExp(`"map-public-tcp\\.${name}" is no option: a misspelt map-public-tcp\\.proxy-protocol\\?`),
      ],
    ),
    ["not running", { labels: tcp("5432:80"), state: "stopped" }, "not-running", /state is "stopped"/],
    ["unhealthy", { labels: tcp("5432:80"), health_state: "unhealthy" }, "unhealthy", /unhealthy/],
    ["standalone", { labels: tcp("5432:80"), stack_name: undefined }, "no-stack", /not in a stack/],
  ];
  for (const [name, overrides, code, reason] of cases) {
    const routed = table([container(overrides)]);
    assert.deepEqual(
      routed.backends.flatMap((backend) => backend.servers),
      [],
      name,
    );
    assert.equal(routed.skipped.length, 1, name);
    const [skip] = routed.skipped;
    assert.deepEqual([skip?.code, skip?.route], [code, "tcp"], name);
    assert.match(skip?.reason ?? "", /^map-public-tcp: /, name);
    assert.match(skip?.reason ?? "", reason, name);
    assert.ok(SKIP_CODES[skip?.code ?? "entry-invalid"], name);
  }
});

test("special addresses are refused for TCP as for HTTP, unless the backend networks allow them", () => {
  const loopback = container({ primary_ip: "127.0.0.5", labels: tcp("5432:80") });
  const strict = { ...MODEL_OPTIONS, backendNetworks: undefined };
  assert.deepEqual(
    table([loopback], strict).skipped.map((skip) => [skip.code, skip.route]),
    [["ip-special", "tcp"]],
  );
  const outside = { ...MODEL_OPTIONS, backendNetworks: ["10.42.0.0/16"] };
  assert.deepEqual(
    table([loopback], outside).skipped.map((skip) => [skip.code, skip.route]),
    [["ip-not-allowed", "tcp"]],
  );
  assert.equal(table([loopback]).backends[0]?.name, "tcp_5432");
});

test("a label far from proxy-protocol, or one beside the option itself, is not taken for a misspelling", () => {
  for (const more of [
    { "map-public-tcp.internal": "yes" },
    { "map-public-tcp.proxy-protocol": "send-proxy", "map-public-tcp.proxy_protocol": "send-proxy" },
  ]) {
    const routed = table([container({ labels: tcp("5432:80", more) })]);
    assert.deepEqual(routed.skipped, [], JSON.stringify(more));
    assert.equal(routed.backends[0]?.servers.length, 1, JSON.stringify(more));
  }
});

test("another TCP label key (RANCHER_TCP_LABEL) is read instead of map-public-tcp", () => {
  const options = { ...MODEL_OPTIONS, tcpLabel: "io.example/tcp" };
  const own = container({
    labels: { "io.example/tcp": "22:2222", "io.example/tcp.proxy-protocol": "send-proxy" },
  });
  const ignored = container({ labels: tcp("23:23") });
  const routed = table([own, ignored], options);
  assert.deepEqual(
    routed.backends.map((backend) => [backend.name, backend.servers[0]?.port, backend.servers[0]?.proxy]),
    [["tcp_22", 2222, "send-proxy"]],
  );
  assert.equal(routed.unlabelled.length, 1, "map-public-tcp means nothing under another TCP label");
});

test("twins (one name, one server line, uuids equal once lower-cased) give the same table in any order", () => {
  const twins = ["FF-01", "ff-01", "Ff-01"].map((uuid) =>
    container({ name: "twin", stack_name: "db", uuid, primary_ip: "127.0.0.8", labels: tcp("5432:5432") }),
  );
  const expected = table(twins);
  assert.deepEqual(
    expected.skipped.map((skip) => `${skip.uuid} ${skip.code}`),
    ["Ff-01 duplicate-server", "ff-01 duplicate-server"],
    "FF-01 wins (code-unit order of the uuid as spelled)",
  );
  // a TCP skip's reason starts with the label's name, as the README says (until 2026-12-04 not this one's)
  assert.match(
    expected.skipped[0]?.reason ?? "",
    /^map-public-tcp: server name web-ff-01 is already taken in backend tcp_5432/,
  );
  fc.assert(
    fc.property(fc.shuffledSubarray(twins, { minLength: twins.length }), (shuffled) => {
      assert.deepEqual(table(shuffled), expected);
    }),
    { numRuns: 20 },
  );
});

test("one container listed twice is one TCP server, not a duplicate of itself", () => {
  const db = container({
    name: "db-1",
    stack_name: "db",
    uuid: "aa-01",
    primary_ip: "127.0.0.9",
    labels: tcp("5432:5432"),
  });
  const twice = table([db, { ...db }]);
  assert.deepEqual(
    twice.backends.map((backend) => [backend.name, backend.servers.length]),
    [["tcp_5432", 1]],
  );
  assert.deepEqual(twice.skipped, []);
});

test("two spellings of one stack name that both serve: its host and its port go to the same one, in any order", () => {
  // The HTTP rule (stack-case-conflict) lets the spelling already in lower case win; the port went to
  // the first as written (`App` sorts before `app`): app.<domain> served stack app, port 5432 stack App.
  const both = { ...tcp("5432:5432"), "map-public-http": "80" };
  const stacks = [
    container({
      name: "app-web-1",
      stack_name: "app",
      stack_uuid: "9fffffff-0000-4000-8000-000000000000",
      labels: both,
    }),
    container({
      name: "App-web-1",
      stack_name: "App",
      stack_uuid: "1aaaaaaa-0000-4000-8000-000000000000",
      labels: both,
    }),
  ];
  for (const order of [stacks, [...stacks].reverse()]) {
    const routed = table(order);
    assert.deepEqual(
      routed.backends.map((backend) => [backend.name, backend.servers.map((server) => server.container)]),
      [
        ["app", ["app-web-1"]],
        ["tcp_5432", ["app-web-1"]],
      ],
      "HTTP and TCP serve the same stack: app",
    );
    assert.deepEqual(
      routed.skipped.map((skip) => [skip.container, skip.code, skip.route ?? "http"]),
      [
        ["App-web-1", "stack-case-conflict", "http"],
        ["App-web-1", "tcp-port-conflict", "tcp"],
      ],
    );
    assert.match(
      routed.skipped.find((skip) => skip.code === "tcp-port-conflict")?.reason ?? "",
      /by stack "app", which wins \(the spelling in lower case\)$/,
    );
  }
});

test("a stack deleted and recreated under its name keeps its port while the old one's containers are listed", () => {
  // A stack removed and created again under the same name: metadata lists the old stack's stopped
  // containers until they are purged. Its claim beat the new stack's serving containers whenever the old
  // uuid (or spelling) sorted first: tcp_5432 had no backend and the live database was tcp-port-conflict.
  const spellings: [string, string][] = [
    ["db", "db"],
    ["DB", "db"],
    ["db", "Db"],
  ];
  for (const [oldName, liveName] of spellings) {
    const old = container({
      name: "db-postgres-1-old",
      stack_name: oldName,
      stack_uuid: "1aaaaaaa-0000-4000-8000-000000000000",
      state: "stopped",
      labels: { ...tcp("5432:5432"), "map-public-http": "80" },
    });
    const live = container({
      name: "db-postgres-1",
      stack_name: liveName,
      stack_uuid: "9fffffff-0000-4000-8000-000000000000",
      labels: { ...tcp("5432:5432"), "map-public-http": "80" },
    });
    for (const order of [
      [old, live],
      [live, old],
    ]) {
      const routed = table(order);
      assert.deepEqual(
        routed.backends.map((backend) => [backend.name, backend.servers.map((server) => server.container)]),
        [
          ["db", ["db-postgres-1"]],
          ["tcp_5432", ["db-postgres-1"]],
        ],
        `old ${oldName} (stopped), live ${liveName}: HTTP and TCP both serve the live stack`,
      );
      assert.deepEqual(
        routed.skipped.map((skip) => [skip.container, skip.code, skip.route ?? "http"]),
        [
          ["db-postgres-1-old", "not-running", "http"],
          ["db-postgres-1-old", "not-running", "tcp"],
        ],
      );
    }
  }
  // Another stack's claim still holds the port (data is down, zz-rival serves), as before.
  const held = table([
    container({ name: "data-1", stack_name: "data", state: "stopped", labels: tcp("5432:5432") }),
    container({ name: "rival-1", stack_name: "zz-rival", labels: tcp("5432:5432") }),
  ]);
  assert.deepEqual(held.backends, heldPort("data"));
});

test("a public port kept for a stack none of whose containers serves is a tcp-port-held note", () => {
  // Before, nothing said the port was held: it closed connections, and only the containers' own skip
  // reasons (not-running, unhealthy, which name no port) hinted why.
  const down = container({ name: "data-1", stack_name: "Data", state: "stopped", labels: tcp("5432:5432") });
  const rival = container({ name: "rival-1", stack_name: "zz-rival", labels: tcp("5432:5432") });
  const held = {
    backend: "tcp_5432",
    container: null,
    code: "tcp-port-held",
    reason:
      'public TCP port 5432 is kept for stack "Data", none of whose containers labelled for it serves (down or redeploying: not-running): the port closes connections until one does',
  };
  for (const containers of [[down], [down, rival], [rival, down]]) {
    const routed = table(containers);
    assert.deepEqual(routed.backends, heldPort("data"));
    assert.deepEqual(routed.notes, [held], containers.map((c) => c["name"]).join(", "));
    assert.equal(routed.noteTotals.get("tcp-port-held"), 1);
    assert.equal(routed.counts.tcpBackends, 0, "a held port routes no TCP service");
    assert.match(renderBackends(routed), /\nbackend tcp_5432\n {4}mode tcp\n$/, "a block with no server");
  }
  // A held port serves nothing: data's host is not said to serve TCP by it.
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const [match] = explain(table([down]), { by: "any", value: "data" }, context).matches;
  assert.equal(match?.reason, "stack data has no routed container (see notRouted)");
  const up = container({ name: "data-1", stack_name: "Data", labels: tcp("5432:5432") });
  assert.deepEqual(table([up, rival]).notes, [], "a served port has no note");
  assert.deepEqual(table([rival]).notes, [], "nor one no stack keeps");
  assert.ok(NOTE_CODES["tcp-port-held"].length > 0);
  // Logged at info, like the lifecycle skips that cause it: every redeploy of a one-container TCP service
  // makes one; a misconfiguration's note stays at warn.
  const { logger, lines } = captureLogger();
  createSkipLog(logger).report(table([down, rival]));
  const levels = new Map(
    lines().map((line) => [line["event"] === "route-note" ? "note" : line["container"], line["level"]]),
  );
  assert.equal(levels.get("note"), 30, "tcp-port-held at info");
  assert.equal(levels.get("rival-1"), 40, "tcp-port-conflict at warn");
});
