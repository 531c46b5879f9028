// Issue 13's option labels through the whole model and the contract's renderers: hosts and wildcards with
// ownership and conflicts, paths as <stack>.<service> backends, options settled per backend with notes,
// invalid values falling back or skipping as the registry says, and no label = today's bytes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSharedFiles } from "@rancher-haproxy/core";
import { buildRoutingTable, explain, renderBackends, renderDomainMap } from "../src/index.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

const L = "map-public-http";
const build = (containers: Record<string, unknown>[], aliases: Record<string, unknown> = {}) =>
  buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
const labels = (extra: Record<string, string>) => ({ labels: { [L]: "80", ...extra } });
const map = (table: ReturnType<typeof build>) => table.hosts.map((h) => `${h.fqdn} ${h.backend} ${h.source}`);
const noteLines = (table: ReturnType<typeof build>) =>
  table.notes.map((note) => `${note.backend} ${note.code} ${note.reason}`);

test("hosts: full names and wildcards are routed besides the stack's host; the files pass the contract", () => {
  const table = build([
    container({ stack_name: "shop", ...labels({ [`${L}.hosts`]: "www.Example.com, *.example.com" }) }),
  ]);
  assert.deepEqual(map(table), [
    "*.example.com shop hosts",
    "shop.dev.tld shop stack",
    "www.example.com shop hosts",
  ]);
  const parsed = parseSharedFiles({ backends: renderBackends(table), map: renderDomainMap(table) });
  assert.equal(parsed.ok, true);
});

test("a hosts claim cannot take a stack's host, a name under it, or an alias; two claims: first backend wins", () => {
  const table = build(
    [
      container({ stack_name: "blog" }),
      container({
        stack_name: "shop",
        ...labels({ [`${L}.hosts`]: "blog.dev.tld,x.blog.dev.tld,*.blog.dev.tld,www.dev.tld,a.example" }),
      }),
      container({ stack_name: "zoo", ...labels({ [`${L}.hosts`]: "a.example" }) }),
    ],
    { blog: ["www"] },
  );
  assert.deepEqual(map(table), [
    "a.example shop hosts",
    "blog.dev.tld blog stack",
    "shop.dev.tld shop stack",
    "www.dev.tld blog alias",
    "zoo.dev.tld zoo stack",
  ]);
  assert.deepEqual(
    table.notes.map((note) => [note.backend, note.code]),
    [
      ["shop", "host-owned"],
      ["shop", "host-owned"],
      ["shop", "host-owned"],
      ["shop", "host-owned"],
      ["zoo", "host-conflict"],
    ],
  );
});

test("a stack that is down keeps its host, its aliases and the names under them: another stack's claim is refused", () => {
  const claims =
    "bank.dev.tld,*.bank.dev.tld,login.bank.dev.tld,shop.dev.tld,login.shop.dev.tld,*.shop.dev.tld";
  const table = build(
    [
      // bank redeploys: its only container is unhealthy, another one is stopped and unlabelled.
      container({ stack_name: "Bank", health_state: "unhealthy" }),
      container({ stack_name: "bank", state: "stopped", labels: {} }),
      container({ stack_name: "evil", ...labels({ [`${L}.hosts`]: `${claims},free.dev.tld` }) }),
    ],
    { bank: ["shop"] },
  );
  // Before, evil's label took bank.dev.tld and its names while bank had no routed container.
  assert.deepEqual(map(table), ["evil.dev.tld evil stack", "free.dev.tld evil hosts"]);
  assert.deepEqual(
    noteLines(table),
    [
      ...["*.bank.dev.tld", "bank.dev.tld", "login.bank.dev.tld"].map(
        (host) =>
          `evil host-owned hosts name ${host} belongs to stack bank (its host bank.dev.tld and the names under it)`,
      ),
      ...["*.shop.dev.tld", "login.shop.dev.tld", "shop.dev.tld"].map(
        (host) =>
          `evil host-owned hosts name ${host} belongs to stack bank (its alias host shop.dev.tld and the names under it)`,
      ),
    ].sort(),
  );
});

test("the names between a multi-label alias host and the domain cannot be claimed by another stack", () => {
  const table = build(
    [
      container({ stack_name: "bank", health_state: "unhealthy" }),
      container({
        stack_name: "evil",
        ...labels({ [`${L}.hosts`]: "shop.dev.tld,*.shop.dev.tld,other.dev.tld" }),
      }),
    ],
    { bank: ["login.shop"] },
  );
  // As a key or a wildcard, shop.dev.tld caught login.shop.dev.tld while bank was down.
  assert.deepEqual(map(table), ["evil.dev.tld evil stack", "other.dev.tld evil hosts"]);
  assert.deepEqual(
    noteLines(table),
    ["*.shop.dev.tld", "shop.dev.tld"].map(
      (host) =>
        `evil host-owned hosts name ${host} is a parent of an alias host of stack bank: it would catch that alias's names whenever they have no key`,
    ),
  );
});

test("a stack whose containers are all unlabelled owns no name: another stack may claim it", () => {
  const table = build([
    container({ stack_name: "api", labels: {} }),
    container({ stack_name: "web", ...labels({ [`${L}.hosts`]: "api.dev.tld" }) }),
  ]);
  assert.deepEqual(map(table), ["api.dev.tld web hosts", "web.dev.tld web stack"]);
  assert.deepEqual(table.notes, []);
});

test("names under a routed stack's alias host belong to that stack; its own claims under it are kept", () => {
  const table = build(
    [
      container({ stack_name: "bank", ...labels({ [`${L}.hosts`]: "api.shop.dev.tld" }) }),
      container({ stack_name: "evil", ...labels({ [`${L}.hosts`]: "login.shop.dev.tld" }) }),
    ],
    { bank: ["shop"] },
  );
  assert.deepEqual(map(table), [
    "api.shop.dev.tld bank hosts",
    "bank.dev.tld bank stack",
    "evil.dev.tld evil stack",
    "shop.dev.tld bank alias",
  ]);
  assert.deepEqual(noteLines(table), [
    "evil host-owned hosts name login.shop.dev.tld belongs to stack bank (its alias host shop.dev.tld and the names under it)",
  ]);
});

test("a stack's own alias host, plain or wildcard, in its hosts label is its own: mapped, no refusal", () => {
  const table = build(
    [
      container({ stack_name: "bank", ...labels({ [`${L}.hosts`]: "shop.dev.tld,*.shop.dev.tld" }) }),
      container({ stack_name: "evil", ...labels({ [`${L}.hosts`]: "*.shop.dev.tld" }) }),
    ],
    { bank: ["shop"] },
  );
  // Before, bank's own claims were refused as "an alias host" (host-owned), as if another stack's.
  assert.deepEqual(map(table), [
    "*.shop.dev.tld bank hosts",
    "bank.dev.tld bank stack",
    "evil.dev.tld evil stack",
    "shop.dev.tld bank alias",
  ]);
  assert.deepEqual(noteLines(table), [
    "evil host-owned hosts name *.shop.dev.tld belongs to stack bank (its alias host shop.dev.tld and the names under it)",
  ]);
});

test("a hosts claim of the stack domain or a parent, plain or wildcard, is refused: it would catch every stack's names", () => {
  const table = build([
    container({ stack_name: "app", ...labels({ [`${L}.path`]: "/api" }) }),
    container({
      stack_name: "evil",
      ...labels({ [`${L}.hosts`]: "*.dev.tld,dev.tld,tld,*.tld,ev.tld,*.x.dev.tld" }),
    }),
  ]);
  // Without the refusal `app.dev.tld/` and `x.app.dev.tld` (app has only a path key) went to evil.
  assert.deepEqual(map(table), [
    "*.x.dev.tld evil hosts",
    "app.dev.tld/api app.web stack",
    "ev.tld evil hosts",
    "evil.dev.tld evil stack",
  ]);
  assert.deepEqual(
    noteLines(table),
    ["*.dev.tld", "*.tld", "dev.tld", "tld"].map(
      (host) =>
        `evil host-owned hosts name ${host} would take every name under dev.tld no key maps (stacks' own names among them)`,
    ),
  );
});

test("a stack's aliases times its backends stop at 10 000 keys: the aliases past that are left out with a note", () => {
  const names = Array.from({ length: 6000 }, (_, i) => `a${String(i).padStart(4, "0")}`);
  const table = build(
    [
      container({ stack_name: "shop", service_name: "web" }),
      container({ stack_name: "shop", service_name: "api", ...labels({ [`${L}.path`]: "/api" }) }),
      container({ stack_name: "blog", service_name: "web" }),
    ],
    { shop: names, blog: ["news"] },
  );
  const aliasKeys = table.hosts.filter((host) => host.source === "alias");
  assert.equal(aliasKeys.filter((host) => host.backend.startsWith("shop")).length, 10_000);
  assert.ok(aliasKeys.some((host) => host.fqdn === "a4999.dev.tld/api"));
  assert.ok(!aliasKeys.some((host) => host.fqdn.startsWith("a5000.")), "the first left out (name order)");
  assert.ok(
    aliasKeys.some((host) => host.fqdn === "news.dev.tld"),
    "other stacks keep theirs",
  );
  assert.deepEqual(
    noteLines(table),
    ["shop", "shop.api"].map(
      (backend) =>
        `${backend} host-limit only the first 5000 of stack shop's 6000 aliases are mapped: with its 2 backends more would pass 10000 keys (the first left out: a5000.dev.tld)`,
    ),
  );
});

test("path: a service becomes backend <stack>.<service> with host/path keys; strip-path and options render", () => {
  const table = build([
    container({ stack_name: "shop", service_name: "web" }),
    container({
      stack_name: "shop",
      service_name: "api",
      ...labels({ [`${L}.path`]: "/api", [`${L}.strip-path`]: "true", [`${L}.hosts`]: "www.example.com" }),
    }),
  ]);
  assert.deepEqual(map(table), [
    "shop.dev.tld shop stack",
    "shop.dev.tld/api shop.api stack",
    "www.example.com/api shop.api hosts",
  ]);
  assert.match(
    renderBackends(table),
    /backend shop\.api\n {4}mode http\n {4}http-request replace-path \^\/api\(\?:\/\(\.\*\)\)\?\$ \/\\1\n/,
  );
});

test("a path whose containers are listed but none serves keeps its keys, its https and no server; a removed label releases it", () => {
  const api = (extra: Record<string, unknown>, options: Record<string, string> = {}) =>
    container({
      stack_name: "shop",
      service_name: "api",
      ...labels({ [`${L}.path`]: "/api", [`${L}.hosts`]: "www.example.com", ...options }),
      ...extra,
    });
  const web = container({ stack_name: "shop", service_name: "web" });
  const keys = [
    "shop.dev.tld shop stack",
    "shop.dev.tld/api shop.api stack",
    "www.example.com/api shop.api hosts",
  ];
  const downs = [
    [{ health_state: "unhealthy" }, "unhealthy"],
    [{ state: "stopped" }, "not-running"],
    [{ primary_ip: null }, "no-ip"],
  ] as const;
  for (const [down, code] of downs) {
    const table = build([web, api(down, { [`${L}.https`]: "only" }), api({ ...down, name: "b" })]);
    assert.deepEqual(map(table), keys, code);
    const held = table.backends.find((backend) => backend.name === "shop.api");
    assert.deepEqual(held?.servers, [], "held with no server");
    assert.equal(held?.options?.https, "only", "the strictest https of its containers, as when served");
    assert.match(
      renderBackends(table),
      /backend shop\.api\n {4}mode http\n {4}http-request deny deny_status 403 if !\{ ssl_fc \}\n$/,
    );
    const parsed = parseSharedFiles({ backends: renderBackends(table), map: renderDomainMap(table) });
    assert.equal(parsed.ok, true, "a backend with no server passes the contract");
    assert.deepEqual(
      table.skipped.map((skip) => skip.code),
      [code, code],
    );
  }
  // One container serves: the path is served (by it alone).
  const served = build([web, api({ health_state: "unhealthy" }), api({})]);
  assert.equal(served.backends.find((backend) => backend.name === "shop.api")?.servers.length, 1);
  // Not a lifecycle state (an address outside the networks, another environment), the path label removed,
  // or the container gone: released, as before.
  const released = [
    build([web, api({ primary_ip: "192.0.2.1", health_state: "unhealthy" })]),
    buildRoutingTable(
      { containers: [web, api({ environment_uuid: "other" })], aliases: {}, environment: "own" },
      MODEL_OPTIONS,
    ),
    build([web, container({ stack_name: "shop", service_name: "api", health_state: "unhealthy" })]),
    build([web]),
  ];
  for (const [index, table] of released.entries())
    assert.deepEqual(map(table), ["shop.dev.tld shop stack"], `case ${index}`);
  // A spelling that serves wins its stack over one that only holds a path (Shop's /api is not held).
  const spelled = build([
    container({ stack_name: "shop", stack_uuid: "57000000-0000-4000-8000-000000000009" }),
    container({
      stack_name: "Shop",
      service_name: "api",
      health_state: "unhealthy",
      ...labels({ [`${L}.path`]: "/api" }),
    }),
  ]);
  assert.deepEqual(map(spelled), ["shop.dev.tld shop stack"]);
});

test("a stack redeploying keeps its hosts claims (held, no server): a rival claim, wildcard or parent never takes them", () => {
  const shop = (extra: Record<string, unknown>, options: Record<string, string> = {}) =>
    container({
      stack_name: "shop",
      ...labels({ [`${L}.hosts`]: "www.shop.com", [`${L}.https`]: "only", ...options }),
      ...extra,
    });
  // zoo claims shop's name too (host-conflict: shop wins), and the wildcard and the parent above it.
  const zoo = container({
    stack_name: "zoo",
    ...labels({ [`${L}.hosts`]: "www.shop.com,*.shop.com,shop.com" }),
  });
  const keys = [
    "*.shop.com zoo hosts",
    "shop.com zoo hosts",
    "shop.dev.tld shop stack",
    "www.shop.com shop hosts",
    "zoo.dev.tld zoo stack",
  ];
  assert.deepEqual(map(build([shop({}), zoo])), keys, "served");
  const downs = [
    [{ health_state: "unhealthy" }, "unhealthy"],
    [{ state: "stopped" }, "not-running"],
    [{ primary_ip: null }, "no-ip"],
  ] as const;
  for (const [down, code] of downs) {
    // Before, zoo's claim took www.shop.com (and the wildcard and parent caught it): shop's clients
    // reached zoo's containers, over plain HTTP too.
    const table = build([shop(down, { [`${L}.https`]: "redirect" }), shop({ ...down, name: "b" }), zoo]);
    assert.deepEqual(map(table), keys, code);
    const held = table.backends.find((backend) => backend.name === "shop");
    assert.deepEqual(held?.servers, [], `${code}: held with no server`);
    assert.equal(held?.options?.https, "only", `${code}: the strictest https of its containers`);
    assert.deepEqual(
      table.notes.filter((note) => note.code === "host-conflict").map((note) => note.reason),
      ["www.shop.com (hosts) is also claimed by backend shop (hosts), which wins"],
      code,
    );
    const parsed = parseSharedFiles({ backends: renderBackends(table), map: renderDomainMap(table) });
    assert.equal(parsed.ok, true, "a backend with no server passes the contract");
    assert.equal(table.counts.routed, 1, "zoo's container only");
  }
  // With no rival for the name itself, a wildcard or parent claim above it caught it (no key of its own).
  const above = container({ stack_name: "zoo", ...labels({ [`${L}.hosts`]: "*.shop.com,shop.com" }) });
  const alone = build([shop({ state: "stopped" }), above]);
  assert.equal(alone.hosts.find((host) => host.fqdn === "www.shop.com")?.backend, "shop");
  // A stack without hosts claims holds nothing (its host gets the 503 of no key, as before); nor does a
  // skip that is not a lifecycle state, or another environment's container.
  const quiet = container({ stack_name: "shop", health_state: "unhealthy" });
  assert.deepEqual(map(build([quiet])), []);
  assert.deepEqual(
    build([shop({ primary_ip: "192.0.2.1", health_state: "unhealthy" }), zoo]).hosts.find(
      (host) => host.fqdn === "www.shop.com",
    )?.backend,
    "zoo",
  );
});

// An invalid https or hsts value, and misspelt https labels: each fails its container closed.
const HTTPS_TYPOS: Record<string, string>[] = [
  { [`${L}.https`]: "onlyy" },
  { [`${L}.hsts`]: "a year" },
  { [`${L}.htps`]: "only" },
  { [`${L}.HTTPS`]: "redirect" },
];

// Backend `name` of `table` is held failing closed: no server, https=only, its container skipped as a typo.
function assertHeldClosed(table: ReturnType<typeof build>, name: string, what: string): void {
  const held = table.backends.find((backend) => backend.name === name);
  assert.deepEqual(held?.servers, [], what);
  assert.equal(held?.options?.https, "only", what);
  assert.deepEqual(
    table.skipped.map((skip) => skip.code),
    ["option-invalid"],
    what,
  );
}

test("a path whose containers all carry an invalid or misspelt https/hsts label is held failing closed (https=only), never handed to /", () => {
  const api = (options: Record<string, string>, extra: Record<string, unknown> = {}) =>
    container({
      stack_name: "shop",
      service_name: "api",
      ...labels({ [`${L}.path`]: "/api", ...options }),
      ...extra,
    });
  const web = container({ stack_name: "shop", service_name: "web" });
  for (const typo of HTTPS_TYPOS) {
    for (const extra of [{}, { health_state: "unhealthy" }]) {
      const table = build([web, api(typo, extra)]);
      const what = JSON.stringify({ typo, extra });
      assert.deepEqual(map(table), ["shop.dev.tld shop stack", "shop.dev.tld/api shop.api stack"], what);
      assertHeldClosed(table, "shop.api", what);
    }
  }
  // Its `hosts` claims are held too: www.example.com/api went to www.example.com's `/` service (web
  // claims that name) over plain HTTP while the typo'd /api held only shop.dev.tld/api.
  const hosts = { [`${L}.hosts`]: "www.example.com" };
  const claimed = build([
    container({ stack_name: "shop", service_name: "web", ...labels(hosts) }),
    api({ ...hosts, [`${L}.https`]: "onlyy" }),
  ]);
  assert.deepEqual(map(claimed), [
    "shop.dev.tld shop stack",
    "shop.dev.tld/api shop.api stack",
    "www.example.com shop hosts",
    "www.example.com/api shop.api hosts",
  ]);
  // Beside a container of the path that serves, the typo'd one is only skipped.
  const beside = build([web, api({}), api({ [`${L}.https`]: "onlyy" }, { name: "b" })]);
  assert.equal(beside.backends.find((backend) => backend.name === "shop.api")?.servers.length, 1);
  assert.equal(beside.backends.find((backend) => backend.name === "shop.api")?.options?.https, undefined);
  // Without a valid path (or at a refused address) nothing is held, as before.
  for (const table of [
    build([web, api({ [`${L}.path`]: "/a b", [`${L}.https`]: "onlyy" })]),
    build([web, api({ [`${L}.https`]: "onlyy" }, { primary_ip: "192.0.2.1" })]),
    build([web, container({ stack_name: "shop", ...labels({ [`${L}.https`]: "onlyy" }) })]),
  ])
    assert.deepEqual(map(table), ["shop.dev.tld shop stack"]);
});

test("a stack's / service claiming hosts whose containers all carry an invalid or misspelt https/hsts label keeps its claims failing closed (https=only)", () => {
  const shop = (options: Record<string, string>, extra: Record<string, unknown> = {}) =>
    container({ stack_name: "shop", ...labels({ [`${L}.hosts`]: "www.shop.com", ...options }), ...extra });
  const zoo = container({
    stack_name: "zoo",
    ...labels({ [`${L}.hosts`]: "www.shop.com,*.shop.com,shop.com" }),
  });
  for (const typo of HTTPS_TYPOS) {
    for (const extra of [{}, { health_state: "unhealthy" }]) {
      // Before, nothing was held (no path): www.shop.com went to zoo, over plain HTTP, while a redeploy
      // with a typo'd https label was under way.
      const table = build([shop(typo, extra), zoo]);
      const what = JSON.stringify({ typo, extra });
      assert.deepEqual(
        map(table),
        [
          "*.shop.com zoo hosts",
          "shop.com zoo hosts",
          "shop.dev.tld shop stack",
          "www.shop.com shop hosts",
          "zoo.dev.tld zoo stack",
        ],
        what,
      );
      assertHeldClosed(table, "shop", what);
      const parsed = parseSharedFiles({ backends: renderBackends(table), map: renderDomainMap(table) });
      assert.equal(parsed.ok, true, what);
    }
  }
  // Beside a container of the backend that serves, the typo'd one is only skipped.
  const beside = build([shop({}), shop({ [`${L}.https`]: "onlyy" }, { name: "b" }), zoo]);
  assert.equal(beside.backends.find((backend) => backend.name === "shop")?.servers.length, 1);
  assert.equal(beside.backends.find((backend) => backend.name === "shop")?.options?.https, undefined);
  // Without hosts claims (or with an invalid hosts label, an invalid or misspelt path: its backend is not
  // known, or at a refused address) nothing is held, as before.
  for (const table of [
    build([container({ stack_name: "shop", ...labels({ [`${L}.https`]: "onlyy" }) }), zoo]),
    build([shop({ [`${L}.hosts`]: "www.shop.com,", [`${L}.https`]: "onlyy" }), zoo]),
    build([shop({ [`${L}.path`]: "/a b", [`${L}.https`]: "onlyy" }), zoo]),
    build([shop({ [`${L}.pth`]: "/api", [`${L}.https`]: "onlyy" }), zoo]),
    build([shop({ [`${L}.pth`]: "/api" }), zoo]),
    build([shop({ [`${L}.https`]: "onlyy" }, { primary_ip: "192.0.2.1" }), zoo]),
  ])
    assert.equal(table.hosts.find((host) => host.fqdn === "www.shop.com")?.backend, "zoo");
  assert.deepEqual(map(build([container({ stack_name: "shop", ...labels({ [`${L}.hsts`]: "x" }) })])), []);
});

test("backend options settle on the first container; disagreements and fallbacks are notes, not skips", () => {
  const table = build([
    container({
      name: "a",
      ...labels({ [`${L}.balance`]: "leastconn", [`${L}.sticky`]: "true", [`${L}.check`]: "/healthz" }),
    }),
    container({ name: "b", ...labels({ [`${L}.balance`]: "source", [`${L}.maxconn`]: "many" }) }),
  ]);
  const backend = table.backends[0];
  assert.deepEqual(backend?.options, { balance: "leastconn", sticky: true, check: "/healthz" });
  assert.ok(
    backend?.servers.every((server) => server.check === true && /^[0-9a-f]{16}$/.test(server.cookie ?? "")),
  );
  assert.deepEqual(
    table.notes.map((note) => [note.container, note.code]),
    [
      ["b", "option-disagreement"],
      ["b", "option-fallback"],
    ],
  );
  assert.equal(table.counts.routed, 2);
});

// The cookie is what a sticky client holds: a release that changed how it is made (a faster hash call
// among them) would move every sticky client to another server.
test("a sticky server's cookie is the first 16 hex digits of its name's SHA-256, as in every release", () => {
  const table = build([
    container({
      name: "shop-web-1",
      uuid: "c0ffee00-0001-4000-8000-000000000000",
      ...labels({ [`${L}.sticky`]: "true" }),
    }),
  ]);
  assert.deepEqual(
    table.backends[0]?.servers.map((server) => [server.name, server.cookie]),
    [["web-c0ffee00-0001-4000-8000-000000000000", "bb953c19ae6531d0"]],
  );
});

test("the same hosts in another order on two containers of a backend are no disagreement", () => {
  const table = build([
    container({
      name: "a",
      stack_name: "shop",
      ...labels({ [`${L}.hosts`]: "www.example.com,shop.example" }),
    }),
    container({
      name: "b",
      stack_name: "shop",
      ...labels({ [`${L}.hosts`]: "shop.example, www.example.com" }),
    }),
  ]);
  assert.deepEqual(table.notes, []);
  assert.deepEqual(map(table), [
    "shop.dev.tld shop stack",
    "shop.example shop hosts",
    "www.example.com shop hosts",
  ]);
});

test("a disagreement note names the first container cut short: its name repeats in every note", () => {
  const long = `web-${"x".repeat(40_000)}`;
  const table = build([
    container({ name: long, ...labels({ [`${L}.balance`]: "leastconn" }) }),
    ...Array.from({ length: 3 }, (_, i) =>
      container({ name: `b${i}`, ...labels({ [`${L}.balance`]: "source" }) }),
    ),
  ]);
  const reasons = table.notes.map((note) => note.reason);
  assert.equal(reasons.length, 3);
  for (const reason of reasons) {
    assert.ok(reason.length < 300, `${reason.length} characters`);
    assert.match(reason, /uses those of container "web-x+\.\.\./);
  }
});

test("an invalid https, hsts or path value skips the container (never fails open); others route", () => {
  const table = build([
    container({ name: "open", ...labels({ [`${L}.https`]: "sometimes" }) }),
    container({ name: "hsts", ...labels({ [`${L}.hsts`]: "-1" }) }),
    container({ name: "path", ...labels({ [`${L}.path`]: "/../etc" }) }),
    container({
      name: "ok",
      stack_name: "blog",
      ...labels({ [`${L}.https`]: "only", [`${L}.hsts`]: "600" }),
    }),
  ]);
  assert.deepEqual(
    table.skipped.map((skip) => [skip.container, skip.code]),
    [
      ["hsts", "option-invalid"],
      ["open", "option-invalid"],
      ["path", "option-invalid"],
    ],
  );
  assert.deepEqual(
    table.backends.map((b) => [b.name, b.options]),
    [["blog", { https: "only", hsts: 600 }]],
  );
});

test("a misspelt option label is not ignored: of https, hsts or path it skips the container, of others it is noted", () => {
  const table = build([
    container({ name: "upper", stack_name: "a", ...labels({ [`${L}.HTTPS`]: "only" }) }),
    container({ name: "typo", stack_name: "b", ...labels({ [`${L}.htps`]: "only" }) }),
    container({ name: "paths", stack_name: "c", ...labels({ [`${L}.paths`]: "/api" }) }),
    container({ name: "host", stack_name: "d", ...labels({ [`${L}.host`]: "www.example.com" }) }),
    container({ name: "snake", stack_name: "e", ...labels({ [`${L}.strip_path`]: "true" }) }),
    container({
      name: "beside",
      stack_name: "f",
      ...labels({ [`${L}.https`]: "only", [`${L}.Https`]: "only" }),
    }),
    // Another proxy's labels (RANCHER_LABEL=map-public-http.internal) share the prefix: no note.
    container({
      name: "other",
      stack_name: "g",
      ...labels({ [`${L}.internal`]: "8080", [`${L}.internal.https`]: "only" }),
    }),
  ]);
  assert.deepEqual(
    table.skipped.map((skip) => [skip.container, skip.code, skip.reason]),
    [
      [
        "paths",
        "option-invalid",
        `label "${L}.paths" is no routing option: a misspelt ${L}.path? (path never fails open)`,
      ],
      [
        "typo",
        "option-invalid",
        `label "${L}.htps" is no routing option: a misspelt ${L}.https? (https never fails open)`,
      ],
      [
        "upper",
        "option-invalid",
        `label "${L}.HTTPS" is no routing option: a misspelt ${L}.https? (https never fails open)`,
      ],
    ],
  );
  assert.deepEqual(
    table.notes.map((note) => [note.container, note.code, note.reason]),
    [
      // (in backend order: d, e, f)
      ["host", "option-fallback", `label "${L}.host" is no routing option: a misspelt ${L}.hosts? (ignored)`],
      [
        "snake",
        "option-fallback",
        `label "${L}.strip_path" is no routing option: a misspelt ${L}.strip-path? (ignored)`,
      ],
      [
        "beside",
        "option-fallback",
        `label "${L}.Https" is no routing option: a misspelt ${L}.https? (ignored)`,
      ],
    ],
  );
  assert.deepEqual(
    table.backends.map((backend) => [backend.name, backend.options]),
    [
      ["d", undefined],
      ["e", undefined],
      ["f", { https: "only" }],
      ["g", undefined],
    ],
  );
});

test("two misspelt labels that skip a container give one reason whatever the order of its labels", () => {
  // The same labels in the other order (metadata's JSON object keys): the skip reason used to name the
  // first one listed, so equal input gave another container-skipped reason (the TCP label's sorted already).
  const reasons = [
    { [`${L}.pth`]: "/api", [`${L}.htps`]: "only" },
    { [`${L}.htps`]: "only", [`${L}.pth`]: "/api" },
  ].map((extra) => {
    const table = build([
      container({ name: "both", uuid: "c0ffee00-0000-4000-8000-0000000000aa", ...labels(extra) }),
    ]);
    return table.skipped.map((skip) => `${skip.code} ${skip.reason}`);
  });
  assert.deepEqual(reasons[1], reasons[0]);
  assert.deepEqual(reasons[0], [
    `option-invalid label "${L}.htps" is no routing option: a misspelt ${L}.https? (https never fails open)`,
  ]);
});

test("path=/, the documented default, routes like no path label (the stack's backend, no note)", () => {
  const table = build([
    container({
      name: "a",
      stack_name: "shop",
      ...labels({ [`${L}.path`]: "/", [`${L}.strip-path`]: "true" }),
    }),
    container({ name: "b", stack_name: "shop", ...labels({}) }),
  ]);
  assert.deepEqual(table.skipped, []);
  assert.deepEqual(table.notes, []);
  assert.deepEqual(map(table), ["shop.dev.tld shop stack"]);
  assert.deepEqual(
    table.backends.map((backend) => [backend.name, backend.options, backend.servers.length]),
    [["shop", undefined, 2]],
  );
});

test("hostile option values never reach the files: each falls back or skips", () => {
  const hostile = [
    "30s\n    server evil 6.6.6.6:80",
    "x y",
    "/a b",
    "leastconn\r\nbackend x",
    "*.*.x",
    "1h#",
    "%0a",
  ];
  const options = [
    "hosts",
    "path",
    "check",
    "balance",
    "timeout-server",
    "timeout-tunnel",
    "maxconn",
    "sticky",
  ];
  const containers = hostile.flatMap((value) =>
    options.map((option) => container({ stack_name: "shop", ...labels({ [`${L}.${option}`]: value }) })),
  );
  const table = build(containers);
  const files = { backends: renderBackends(table), map: renderDomainMap(table) };
  assert.equal(parseSharedFiles(files).ok, true);
  assert.doesNotMatch(files.backends, /evil|1h#|%/);
  assert.equal(table.backends[0]?.options, undefined);
});

test("explain shows wildcard matches and the notes of the backend; a look-alike is not routed", () => {
  const table = build([
    container({ name: "a", ...labels({ [`${L}.hosts`]: "*.example.com", [`${L}.balance`]: "fastest" }) }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const wild = explain(table, { by: "host", value: "a.b.example.com" }, context);
  const match = wild.matches[0];
  assert.equal(
    match?.kind === "host" && `${match.source} ${match.backend} ${match.via}`,
    "wildcard shop *.example.com",
  );
  assert.match(
    wild.notes.join("\n"),
    /container a: option-fallback: label map-public-http\.balance="fastest"/,
  );
  const evil = explain(table, { by: "host", value: "example.com.evil.net" }, context);
  assert.equal(evil.matches[0]?.kind === "host" && evil.matches[0].status, "not-routed");
});

test("explain names the path prefixes of a host", () => {
  const table = build([
    container({ stack_name: "shop", service_name: "web" }),
    container({ stack_name: "shop", service_name: "api", ...labels({ [`${L}.path`]: "/api" }) }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const match = explain(table, { by: "host", value: "shop.dev.tld" }, context).matches[0];
  assert.equal(
    match?.kind === "host" && match.reason,
    "domain.map routes shop.dev.tld to backend shop (the stack's own host); by path prefix: /api → shop.api",
  );
});

test("explain of a host routed to a path backend lists the stack's containers that are not routed", () => {
  const api = { service_name: "api", ...labels({ [`${L}.path`]: "/api" }) };
  const table = build([
    container({ stack_name: "shop", name: "shop-api-1", ...api }),
    container({ stack_name: "shop", name: "shop-api-2", health_state: "unhealthy", ...api }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const match = explain(table, { by: "host", value: "shop.dev.tld" }, context).matches[0];
  assert.equal(match?.kind === "host" && `${match.status} ${match.backend}`, "routed shop.api");
  // before, the containers of "stack" shop.api (the backend's name) were looked for: none
  assert.deepEqual(match?.kind === "host" && match.notRouted.map((entry) => entry.container), ["shop-api-2"]);
});

test("explain finds a sub-domain and a wildcard match whose keys all have a path, as the reloader routes them", () => {
  // Only `shop.dev.tld/api` and `*.example.com/api` are keys: before, both names were "not routed" (404).
  const table = build([
    container({
      stack_name: "shop",
      service_name: "api",
      ...labels({ [`${L}.path`]: "/api", [`${L}.hosts`]: "*.example.com" }),
    }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const parent = explain(table, { by: "host", value: "x.shop.dev.tld" }, context).matches[0];
  assert.equal(
    parent?.kind === "host" && `${parent.status} ${parent.source} ${parent.backend} ${parent.via}`,
    "routed parent shop.api shop.dev.tld/api",
  );
  assert.match(parent?.kind === "host" ? parent.reason : "", /by path prefix: \/api → shop\.api$/);
  const wild = explain(table, { by: "host", value: "a.example.com" }, context).matches[0];
  assert.equal(
    wild?.kind === "host" && `${wild.status} ${wild.source} ${wild.backend} ${wild.via}`,
    "routed wildcard shop.api *.example.com/api",
  );
});

test("https and hsts take the strictest any container of the backend asks for, whichever sorts first", () => {
  // `api` (no transport labels) sorts before `web`: before, its options won and plain HTTP was served.
  for (const [first, second] of [
    ["api", "web"],
    ["web", "api"],
  ] as const) {
    const table = build([
      container({ service_name: first, name: first, ...labels({ [`${L}.balance`]: "source" }) }),
      container({
        service_name: second,
        name: second,
        ...labels({ [`${L}.https`]: second === "web" ? "only" : "redirect", [`${L}.hsts`]: "31536000" }),
      }),
      container({
        service_name: "zzz",
        name: "zzz",
        ...labels({ [`${L}.https`]: "redirect", [`${L}.hsts`]: "60" }),
      }),
    ]);
    const backend = table.backends[0];
    const https = second === "web" ? "only" : "redirect";
    assert.equal(backend?.options?.https, https, `${first} first`);
    assert.equal(backend?.options?.hsts, 31536000);
    // The other options stay those of the container first by server name (`api-…`).
    assert.equal(backend?.options?.balance, first === "api" ? "source" : undefined);
    const text = renderBackends(table);
    assert.equal(text.includes("http-request deny deny_status 403 if !{ ssl_fc }"), https === "only");
    assert.match(text, /Strict-Transport-Security max-age=31536000/);
    // A note says so when the first container asked for less (not when it asked for the strictest).
    const said = table.notes.some(
      (n) =>
        n.code === "option-disagreement" &&
        n.reason ===
          `https and hsts take the strictest any of its containers asks for: https=${https}, hsts=31536000`,
    );
    assert.equal(said, first === "api");
  }
});

test("explain passes over a name whose keys all have a path, as HAProxy does for the other paths", () => {
  // www.example.com has only www.example.com/api: `/` goes on to the mapped parent example.com. Before,
  // explain stopped at the path key and named blog.api as the host's route.
  const table = build([
    container({ stack_name: "shop", ...labels({ [`${L}.hosts`]: "example.com" }) }),
    container({
      stack_name: "blog",
      service_name: "api",
      ...labels({ [`${L}.path`]: "/api", [`${L}.hosts`]: "www.example.com" }),
    }),
  ]);
  const context = { version: "1", options: MODEL_OPTIONS, guard: null };
  const match = explain(table, { by: "host", value: "www.example.com" }, context).matches[0];
  assert.equal(
    match?.kind === "host" && `${match.status} ${match.source} ${match.backend} ${match.via}`,
    "routed parent shop example.com",
  );
  assert.match(
    match?.kind === "host" ? match.reason : "",
    /by path prefix: www\.example\.com\/api → blog\.api$/,
  );
});
