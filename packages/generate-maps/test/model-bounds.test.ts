// The model's table-wide bounds (issue 9's trust boundary): labels multiply route notes and map keys, so
// metadata within every per-entry cap could still overflow the call stack, take gigabytes, or make a
// domain.map the reloader refuses. Found by a review; each case here failed on the code before.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import {
  BACKENDS_HEADER,
  DEFAULT_MAX_ANSWER_BYTES,
  renderBackendBlock,
  renderBackends,
} from "@rancher-haproxy/core";
import {
  buildRoutingTable,
  createSkipLog,
  declaredBackends,
  limitBackendBytes,
  mapBackends,
  MAX_BACKENDS_BYTES,
  createStatusState,
  recordCycle,
  renderFiles,
  MAX_ROUTE_NOTES,
  MAX_TABLE_ALIAS_KEYS,
  MAX_TABLE_HOSTS_CLAIMS,
  MAX_MAP_BYTES,
  planAliasKeys,
  type Backend,
  type HostRoute,
} from "../src/index.js";
import { describeValue } from "../src/model/describe-value.js";
import { MAX_MISSPELT_WARNINGS } from "../src/model/read-label-options.js";
import { registerStateGauges } from "../src/status/state-gauges.js";
import { captureLogger, clockAt, container, MODEL_OPTIONS } from "./helpers.js";

const L = "map-public-http";
const BAD_OPTIONS = Object.fromEntries(
  ["strip-path", "check", "balance", "sticky", "timeout-server", "timeout-tunnel", "maxconn"].map((o) => [
    `${L}.${o}`,
    "x",
  ]),
);
// `n` stacks named by `name`, each of 10 path services (/p0 … /p9) and 1 000 aliases: 10 000 alias keys
// each, the per-stack cap.
function pathStacks(n: number, name: (index: number) => string) {
  const containers: Record<string, unknown>[] = [];
  const aliases: Record<string, string[]> = {};
  for (let s = 0; s < n; s++) {
    const stack = name(s);
    aliases[stack] = Array.from({ length: 1000 }, (_, a) => `${stack}-a${a}`);
    for (let p = 0; p < 10; p++)
      containers.push(
        container({
          stack_name: stack,
          service_name: `p${p}`,
          labels: { [L]: "80", [`${L}.path`]: `/p${p}` },
        }),
      );
  }
  return { containers, aliases };
}
const count = <T>(items: readonly T[], pick: (item: T) => boolean) => items.filter(pick).length;

test("126 000 option notes in one backend: the table is built, keeps MAX_ROUTE_NOTES and counts the rest", () => {
  const containers = Array.from({ length: 18_000 }, (_, i) =>
    container({ name: `big-${i}`, stack_name: "big", labels: { [L]: "80", ...BAD_OPTIONS } }),
  );
  containers.push(container({ name: "shop-1", stack_name: "shop" }));
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  assert.equal(table.notes.length, MAX_ROUTE_NOTES + 1);
  const [limit] = table.notes;
  assert.equal(limit?.code, "note-limit");
  assert.match(
    limit?.reason ?? "",
    new RegExp(`^${18_000 * 7 - MAX_ROUTE_NOTES} more option-fallback notes`),
  );
  assert.equal(table.counts.notesDropped, 18_000 * 7 - MAX_ROUTE_NOTES);
  assert.deepEqual(
    table.hosts.map((h) => h.fqdn),
    ["big.dev.tld", "shop.dev.tld"],
    "every stack routed",
  );
  assert.equal(table.backends.find((b) => b.name === "big")?.servers.length, 18_000);
});

test("hosts claims past MAX_TABLE_HOSTS_CLAIMS are not looked at, with a host-limit note; notes stay bounded", () => {
  const claims = (i: number) => Array.from({ length: 32 }, (_, k) => `h${k}.c${i}.example`).join(",");
  const stacks = Math.ceil(MAX_TABLE_HOSTS_CLAIMS / 32) + 50;
  const containers = Array.from({ length: stacks }, (_, i) =>
    container({
      stack_name: `s${String(i).padStart(5, "0")}`,
      labels: { [L]: "80", [`${L}.hosts`]: claims(i) },
    }),
  );
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  assert.equal(
    count(table.hosts, (h) => h.source === "hosts"),
    MAX_TABLE_HOSTS_CLAIMS,
  );
  assert.equal(
    count(table.hosts, (h) => h.source === "stack"),
    stacks,
    "every stack keeps its own host",
  );
  const limited = table.notes.filter((n) => n.code === "host-limit");
  assert.equal(limited.length, stacks - Math.floor(MAX_TABLE_HOSTS_CLAIMS / 32));
  assert.match(limited[0]?.reason ?? "", /the table's hosts claims reached 100000/);
  assert.equal(table.notes.length, limited.length, "no other note: no claim was looked at past the cap");
});

test("96 000 hosts claims of which all but 32 lose: at most MAX_ROUTE_NOTES notes are kept", () => {
  // Every stack claims the same 32 names: all but the first stack's claims lose.
  const same = Array.from({ length: 32 }, (_, k) => `h${k}.example`).join(",");
  const containers = Array.from({ length: 3000 }, (_, i) =>
    container({ stack_name: `s${i}`, labels: { [L]: "80", [`${L}.hosts`]: same } }),
  );
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  assert.equal(
    count(table.notes, (n) => n.code === "host-conflict"),
    MAX_ROUTE_NOTES,
  );
  assert.equal(table.notes[0]?.code, "note-limit");
  assert.match(table.notes[0]?.reason ?? "", new RegExp(`^${2999 * 32 - MAX_ROUTE_NOTES} more`));
});

test("alias keys past MAX_TABLE_ALIAS_KEYS (aliases times path backends) are not mapped, with a note", () => {
  // 20 stacks of 10 path services and 1 000 aliases: 10 000 keys each (the per-stack cap), 200 000 in all.
  const { containers, aliases } = pathStacks(20, (s) => `st${String(s).padStart(2, "0")}`);
  const table = buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
  assert.equal(
    count(table.hosts, (h) => h.source === "alias"),
    MAX_TABLE_ALIAS_KEYS,
  );
  assert.equal(
    count(table.hosts, (h) => h.source === "stack"),
    200,
  );
  const limited = table.notes.filter((n) => n.code === "host-limit");
  assert.equal(limited.length, 100, "the 10 path backends of the 10 stacks past the cap");
  assert.ok(
    limited.every((n) => /^st1\d\./.test(n.backend)),
    "stacks in name order keep theirs",
  );
  assert.match(
    limited[0]?.reason ?? "",
    /only the first 0 of stack st1\d's 1000 aliases .* would pass 100000/,
  );
});

test("a stack whose aliases meet the table's cap gets the same aliases on every backend: alias/api never falls to the root", () => {
  // 9 stacks of 10 path services and 1 000 aliases (90 000 keys), stack y with 2 000 (92 000), then stack
  // zz with a root backend, an /api backend and 5 000 aliases: 4 000 fit on both.
  const { containers, aliases } = pathStacks(9, (s) => `st${s}`);
  const names = (stack: string, n: number) => Array.from({ length: n }, (_, a) => `${stack}-a${a}`);
  aliases["y"] = names("y", 2000);
  aliases["zz"] = names("zz", 5000);
  containers.push(container({ stack_name: "y" }), container({ stack_name: "zz" }));
  containers.push(
    container({ stack_name: "zz", service_name: "api", labels: { [L]: "80", [`${L}.path`]: "/api" } }),
  );
  const table = buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
  const keysOf = (backend: string) =>
    new Set(table.hosts.filter((h) => h.backend === backend && h.source === "alias").map((h) => h.fqdn));
  const root = keysOf("zz");
  const api = keysOf("zz.api");
  assert.equal(root.size, 4000);
  assert.deepEqual([...api].sort(), [...root].map((key) => `${key}/api`).sort());
  assert.equal(
    count(table.hosts, (h) => h.source === "alias"),
    MAX_TABLE_ALIAS_KEYS,
  );
  const notes = table.notes.filter((n) => n.code === "host-limit").map((n) => `${n.backend}: ${n.reason}`);
  assert.deepEqual(
    notes.map((note) => note.replace(/ \(stacks in .*$/, "")),
    [
      "zz: only the first 4000 of stack zz's 5000 aliases are mapped: the table's alias keys would pass 100000",
      "zz.api: only the first 4000 of stack zz's 5000 aliases are mapped: the table's alias keys would pass 100000",
    ],
  );
});

test("a flood of one note code never hides another: each code keeps its own MAX_ROUTE_NOTES", () => {
  const containers = Array.from({ length: MAX_ROUTE_NOTES + 10 }, (_, i) =>
    container({ name: `z-${i}`, stack_name: "zzz", labels: { [L]: "80", [`${L}.balance`]: "x" } }),
  );
  containers.push(container({ stack_name: "aaa", labels: { [L]: "80", [`${L}.hosts`]: "zzz.dev.tld" } }));
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  assert.deepEqual(
    table.notes.filter((n) => n.code !== "option-fallback").map((n) => `${n.code} ${n.backend}`),
    ["note-limit ", "host-owned aaa"],
  );
  assert.equal(table.noteTotals.get("option-fallback"), MAX_ROUTE_NOTES + 10);
  assert.equal(table.counts.notesDropped, 10);
});

test("stack App without a path and stack app with path=/api: one spelling wins the stack's every backend", () => {
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: "upper", stack_name: "App" }),
        container({
          name: "lower",
          stack_name: "app",
          service_name: "api",
          labels: { [L]: "80", [`${L}.path`]: "/api" },
        }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  assert.deepEqual(
    table.backends.map((b) => `${b.name}: ${b.servers.map((s) => s.container).join(",")}`),
    ["app.api: lower"],
  );
  assert.deepEqual(
    table.skipped.map((s) => `${s.container} ${s.code}`),
    ["upper stack-case-conflict"],
  );
});

test("services Web (path=/api) and web (path=/other) of one stack: one spelling wins backend app.web, the other is skipped", () => {
  // Rancher refuses a service name another service of its stack has in any case (Cattle's
  // validateLaunchConfigNames compares them lower-cased), so only wrong metadata lists both. Before, both
  // were servers of app.web with the first container's options: /other went to the / backend and a
  // request for /api reached web's container as well as Web's.
  const upper = container({
    name: "upper-web",
    stack_name: "app",
    service_name: "Web",
    labels: { [L]: "80", [`${L}.path`]: "/api" },
  });
  const lower = container({
    name: "lower-web",
    stack_name: "app",
    service_name: "web",
    labels: { [L]: "80", [`${L}.path`]: "/other" },
  });
  const site = container({ name: "site", stack_name: "app", service_name: "site" });
  for (const containers of [
    [upper, lower, site],
    [lower, site, upper],
  ]) {
    const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
    assert.deepEqual(
      table.backends.map((b) => `${b.name}: ${b.servers.map((s) => s.container).join(",")}`),
      ["app: site", "app.web: lower-web"],
    );
    assert.deepEqual(
      table.hosts.map((h) => `${h.fqdn} ${h.backend}`),
      ["app.dev.tld app", "app.dev.tld/other app.web"],
    );
    assert.deepEqual(
      table.skipped.map((s) => `${s.container} ${s.code}: ${s.reason}`),
      [
        'upper-web service-case-conflict: service "Web" of stack "app" is backend app.web once lower-cased, like service "web", which wins',
      ],
    );
    assert.deepEqual(
      table.notes.map((n) => n.code),
      [],
    );
  }
  // Neither serves (a redeploy): the winning spelling holds its path alone.
  const down = (c: Record<string, unknown>) => ({ ...c, state: "stopped" });
  const held = buildRoutingTable(
    { containers: [down(upper), down(lower), site], aliases: {} },
    MODEL_OPTIONS,
  );
  assert.deepEqual(
    held.backends.map((b) => `${b.name}: ${b.servers.length}`),
    ["app: 1", "app.web: 0"],
  );
  assert.deepEqual(
    held.hosts.map((h) => `${h.fqdn} ${h.backend}`),
    ["app.dev.tld app", "app.dev.tld/other app.web"],
  );
  // Without path labels both are servers of the stack's own backend, as every service of a stack is.
  const plain = (c: Record<string, unknown>) => ({ ...c, labels: { [L]: "80" } });
  const shared = buildRoutingTable({ containers: [plain(upper), plain(lower)], aliases: {} }, MODEL_OPTIONS);
  assert.deepEqual(
    shared.backends.map(
      (b) =>
        `${b.name}: ${b.servers
          .map((s) => s.container)
          .sort()
          .join(",")}`,
    ),
    ["app: lower-web,upper-web"],
  );
  assert.deepEqual(shared.skipped, []);
});

// Rancher's own way to two spellings (4bff3dc): a service renamed by case across a redeploy, the old
// spelling's containers stopping while the new one's start. The serving spelling wins, so /api keeps a
// server at every step and the winner moves only when the containers' states do.
test("a service renamed by case across a redeploy (Web → web, web → Web): its path has a server at every step, in any listing order", () => {
  for (const [before, after] of [
    ["Web", "web"],
    ["web", "Web"],
  ] as const) {
    const spelt = (service: string, name: string, state: string) =>
      container({
        name,
        uuid: `c0ffee00-00${name === "old" ? "aa" : "bb"}-4000-8000-000000000000`,
        stack_name: "app",
        service_name: service,
        state,
        labels: { [L]: "80", [`${L}.path`]: "/api" },
      });
    // [old state, new state, the container that serves app.web]
    const steps = [
      ["running", "starting", "old"],
      ["running", "running", before === "web" ? "old" : "new"],
      ["stopping", "running", "new"],
      ["stopped", "running", "new"],
    ] as const;
    for (const [oldState, newState, serving] of steps)
      for (const order of [0, 1]) {
        const pair = [spelt(before, "old", oldState), spelt(after, "new", newState)];
        const containers = order === 0 ? pair : pair.reverse();
        const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
        const step = `${before} → ${after}, ${oldState}/${newState}, order ${order}`;
        assert.deepEqual(
          table.backends.map((b) => `${b.name}: ${b.servers.map((server) => server.container).join(",")}`),
          [`app.web: ${serving}`],
          step,
        );
        assert.deepEqual(
          table.hosts.map((h) => `${h.fqdn} ${h.backend}`),
          ["app.dev.tld/api app.web"],
          step,
        );
        const conflicts = table.skipped.filter((skip) => skip.code === "service-case-conflict");
        assert.deepEqual(
          conflicts.map((skip) => skip.container),
          oldState === "running" && newState === "running" ? [serving === "old" ? "new" : "old"] : [],
          step,
        );
      }
  }
});

test("a container's misspelt option labels give at most MAX_MISSPELT_WARNINGS notes and one that counts the rest", () => {
  // 100 labels two letters off `timeout-server` (`timeout-servaa`, …); before, each was a warning kept with
  // the container and a note: ≈ 30 000 fit in one 1 MiB entry, 1.7 million in 64 MB (780 MB of RSS).
  const letters = "abcdfghijk";
  const misspelt = Object.fromEntries(
    Array.from({ length: 100 }, (_, k) => [
      `${L}.timeout-serv${letters[k % 10]}${letters[Math.floor(k / 10)]}`,
      "1",
    ]),
  );
  const labels = { [L]: "80", ...misspelt };
  const table = buildRoutingTable(
    { containers: [container({ name: "many", stack_name: "shop", labels })], aliases: {} },
    MODEL_OPTIONS,
  );
  const notes = table.notes.filter((n) => n.code === "option-fallback" && n.container === "many");
  assert.equal(notes.length, MAX_MISSPELT_WARNINGS + 1);
  const [more, ...others] = notes.filter((n) => /^\d+ more misspelt/.test(n.reason));
  assert.equal(others.length, 0);
  assert.match(
    more?.reason ?? "",
    /^80 more misspelt map-public-http\.\* labels are ignored, not listed: a container's first 20 are$/,
  );
  const listed = notes.filter((n) => n !== more);
  assert.ok(
    listed.every((n) => /is no routing option: a misspelt map-public-http\.timeout-server\?/.test(n.reason)),
  );
  assert.deepEqual(
    table.backends.map((b) => b.name),
    ["shop"],
    "still routed",
  );
  // a misspelt path past them still skips the container (it never fails open)
  const skipped = buildRoutingTable(
    {
      containers: [
        container({ name: "many", stack_name: "shop", labels: { ...labels, [`${L}.zpath`]: "/x" } }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  assert.equal(skipped.backends.length, 0);
  assert.match(
    skipped.skipped[0]?.reason ?? "",
    /misspelt map-public-http\.path\? \(path never fails open\)/,
  );
});

test("an option-disagreement note quotes at most 200 characters of each option set", () => {
  const hosts = (tag: string) => Array.from({ length: 30 }, (_, k) => `${tag}${k}.example`).join(",");
  const table = buildRoutingTable(
    {
      containers: [
        container({ name: "a", stack_name: "shop", labels: { [L]: "80", [`${L}.hosts`]: hosts("a") } }),
        container({ name: "b", stack_name: "shop", labels: { [L]: "80", [`${L}.hosts`]: hosts("b") } }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  const [note] = table.notes.filter((n) => n.code === "option-disagreement");
  assert.ok(note, "b disagrees with a");
  assert.equal(note.container, "b");
  assert.match(note.reason, /more characters\)/);
  assert.ok(note.reason.length < 600, `a short reason (${note.reason.length})`);
});

test("generate_maps_route_notes{code=note-limit} gives the number of notes not kept", async () => {
  const containers = Array.from({ length: 1500 }, (_, i) =>
    container({ name: `big-${i}`, stack_name: "big", labels: { [L]: "80", ...BAD_OPTIONS } }),
  );
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const state = createStatusState(0);
  const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
  recordCycle(
    state,
    { ok: true, durationMs: 1, version: "v1", table, files, outcomes: [], guard: null },
    clockAt(1),
  );
  const registry = new Registry();
  registerStateGauges(registry, state, () => 2);
  const gauge = (await registry.getMetricsAsJSON()).find((m) => m.name === "generate_maps_route_notes");
  const byCode = Object.fromEntries((gauge?.values ?? []).map((v) => [v.labels["code"], v.value]));
  assert.equal(byCode["note-limit"], 1500 * 7 - MAX_ROUTE_NOTES, "the notes not kept");
  assert.equal(byCode["option-fallback"], 1500 * 7, "every note made, kept or not");
  assert.equal(table.notes.filter((n) => n.code === "option-fallback").length, MAX_ROUTE_NOTES);
});

test("long hosts claims under long paths stop at MAX_MAP_BYTES of domain.map, with a host-limit note", () => {
  // 3 125 path backends of 32 claims each (100 000, the claims' cap), 249-character names under a
  // 195-character path: a 70 MB map before, which the reloader refuses (over 64 MiB).
  const label = (char: string) => char.repeat(63);
  const name = (k: number, i: number) =>
    `${`h${k}-${i}-`.padEnd(63, "x")}.${label("y")}.${label("z")}.e${"w".repeat(56)}`;
  const path = ["a", "b", "c"].map((char) => `/${char.repeat(64)}`).join("");
  const stacks = 3125;
  const containers = Array.from({ length: stacks }, (_, i) =>
    container({
      stack_name: `s${String(i).padStart(5, "0")}`.padEnd(63, "s"),
      labels: {
        [L]: "80",
        [`${L}.path`]: path,
        [`${L}.hosts`]: Array.from({ length: 32 }, (_, k) => name(k, i)).join(","),
      },
    }),
  );
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const map = renderFiles(table, { backendsPath: "b", domainMapPath: "m" }).map.content;
  assert.ok(map.length <= MAX_MAP_BYTES, `${map.length} bytes`);
  assert.ok(map.length > MAX_MAP_BYTES - 1024, "filled up to the bound, not far below it");
  assert.equal(
    count(table.hosts, (h) => h.source === "stack"),
    stacks,
    "every stack keeps its own host",
  );
  const limited = table.notes.filter((n) => n.code === "host-limit");
  assert.ok(limited.length > 0);
  assert.match(limited[0]?.reason ?? "", /are not mapped: the map would pass 50331648 bytes/);
});

test("alias keys stop where the map's bytes run out, a stack's aliases all its backends' or none's", () => {
  const backend = (stack: string, path: string | null): Backend =>
    ({ name: path === null ? stack : `${stack}.p`, stack, path }) as unknown as Backend;
  const backends = [backend("a", null), backend("a", "/p"), backend("b", null)];
  const alias = (stack: string, i: number): HostRoute => ({
    fqdn: `x${i}.dev.tld`,
    backend: stack,
    source: "alias",
  });
  const aliasesOf = new Map([
    ["a", [0, 1, 2].map((i) => alias("a", i))],
    ["b", [3, 4].map((i) => alias("b", i))],
  ]);
  const backendsOf = new Map([
    ["a", backends.slice(0, 2)],
    ["b", backends.slice(2)],
  ]);
  // Each alias of a: `x0.dev.tld a\n` (13 bytes) and `x0.dev.tld/p a.p\n` (17): 30; of b: 13.
  const room = { bytes: 2 * 30 + 13 + 5 };
  const shares = planAliasKeys(backends, aliasesOf, backendsOf, room);
  assert.equal(shares.get("a")?.count, 2);
  assert.match(
    shares.get("a")?.reason ?? "",
    /only the first 2 of stack a's 3 aliases .* would pass 50331648 bytes/,
  );
  assert.equal(shares.get("b")?.count, 1);
  assert.equal(room.bytes, 5);
});

// One container of its own stack whose option labels render to more bytes than metadata gives them:
// ≈ 900 bytes of JSON, ≈ 1 180 in the backends file.
function heavyContainer(i: number): Record<string, unknown> {
  const stack = `s${i.toString(16)}`;
  return {
    uuid: i.toString(16),
    stack_name: stack,
    service_name: "w",
    primary_ip: "127.0.0.1",
    state: "running",
    labels: {
      [L]: "80",
      "send-proxy": "send-proxy-v2-ssl-cn",
      [`${L}.https`]: "redirect",
      [`${L}.sticky`]: "true",
      [`${L}.hsts`]: "999999999",
      [`${L}.path`]: [1, 2, 3].map(() => `/${"a.".repeat(31)}a`).join(""),
      [`${L}.strip-path`]: "true",
      [`${L}.check`]: `/${"c".repeat(199)}`,
      [`${L}.balance`]: "leastconn",
      [`${L}.timeout-server`]: "24d",
      [`${L}.timeout-tunnel`]: "24d",
      [`${L}.maxconn`]: "1000000",
    },
  };
}

test("option labels under the metadata answer's cap stop at MAX_BACKENDS_BYTES of backends file, the rest skipped (backend-limit)", () => {
  const containers = Array.from({ length: 64_000 }, (_, i) => heavyContainer(i));
  assert.ok(JSON.stringify(containers).length < DEFAULT_MAX_ANSWER_BYTES, "a /containers answer read whole");
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const files = renderFiles(table, { backendsPath: "b", domainMapPath: "m" });
  const bytes = files.backends.content.length;
  // Before, 67 MB: over the reloader's 64 MiB input cap, so it refused the file and every change in it.
  assert.ok(bytes <= 64 * 1024 * 1024, `${bytes} bytes: over the reloader's cap`);
  assert.ok(bytes <= MAX_BACKENDS_BYTES, `${bytes} bytes`);
  assert.ok(bytes > MAX_BACKENDS_BYTES - 2048, "filled up to the bound, not far below it");
  const limited = table.skipped.filter((skip) => skip.code === "backend-limit");
  assert.equal(limited.length + table.counts.routed, containers.length);
  assert.ok(limited.length > 0);
  assert.match(limited[0]?.reason ?? "", /is left out: haproxy-backends.cfg would pass 31457280 bytes/);
  const declared = declaredBackends(files.backends.content);
  for (const backend of mapBackends(files.map.content)) assert.ok(declared.has(backend), backend);
});

test("limitBackendBytes keeps the blocks that fit, in name order, byte-exact as rendered; a TCP backend's containers keep their route", () => {
  const table = buildRoutingTable(
    {
      containers: [
        ...["a", "b", "c", "d"].map((stack) => container({ stack_name: stack })),
        container({ stack_name: "e", labels: { "map-public-tcp": "2222:22" } }),
      ],
      aliases: {},
    },
    MODEL_OPTIONS,
  );
  const [a, b, c] = table.backends;
  const max = renderBackends({ backends: [a, b, c].filter((x) => x !== undefined) }).length;
  const { kept, skipped } = limitBackendBytes([...table.backends].reverse(), max);
  assert.deepEqual(
    kept.map((backend) => backend.name),
    ["a", "b", "c"],
  );
  assert.equal(renderBackends({ backends: kept }).length, max);
  assert.deepEqual(
    skipped.map((skip) => [skip.stack, skip.code, skip.route ?? "http"]),
    [
      ["d", "backend-limit", "http"],
      ["e", "backend-limit", "tcp"],
    ],
  );
  assert.equal(limitBackendBytes(table.backends, max - 1).kept.length, 2);
});

test("a backend left out in two cycles keeps its reason (and its one log line) when the cut moves before it", () => {
  const one = ["a", "b", "c", "d", "e"].map((stack) => container({ name: `${stack}-1`, stack_name: stack }));
  const more = container({ name: "a-2", stack_name: "a" });
  const build = (scaled: boolean) =>
    buildRoutingTable({ containers: scaled ? [...one, more] : one, aliases: {} }, MODEL_OPTIONS);
  const before = build(false);
  // room for a, b and c as they are: once stack a scales up, c no longer fits
  const max = renderBackends({ backends: before.backends.slice(0, 3) }).length;
  const cut = (table: typeof before) => ({
    ...table,
    skipped: limitBackendBytes(table.backends, max).skipped,
  });
  const first = cut(before);
  const second = cut(build(true));
  assert.deepEqual(
    [first, second].map((table) => table.skipped.map((skip) => skip.stack)),
    [
      ["d", "e"],
      ["c", "d", "e"],
    ],
  );
  const { logger, lines } = captureLogger();
  const skips = createSkipLog(logger);
  skips.report(first);
  skips.report(second);
  // Before, each reason named the first backend left out ("from d on", then "from c on"): every container
  // already left out was logged again whenever the cut moved, tens of thousands of lines at this bound.
  assert.deepEqual(
    lines()
      .filter((line) => line["event"] === "container-skipped")
      .map((line) => line["container"]),
    ["d-1", "e-1", "c-1"],
  );
});

test("a container left out for backend-limit is named with its stack as metadata spells it, like every other skip", () => {
  // ≈ 1 050 bytes each in the backends file: 31 000 stacks pass MAX_BACKENDS_BYTES; TCP backends sort last.
  const containers: Record<string, unknown>[] = [
    ...Array.from({ length: 31_000 }, (_, i) => ({
      ...heavyContainer(i),
      stack_name: `Shop${i.toString(16)}`,
    })),
    container({ name: "db-1", stack_name: "DataBase", labels: { "map-public-tcp": "5432:5432" } }),
  ];
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const limited = table.skipped.filter((skip) => skip.code === "backend-limit");
  assert.ok(limited.length > 1);
  const spelled = new Map(containers.map((c) => [String(c["uuid"]), c["stack_name"]]));
  // Before, the lower-cased stack (`shop7a12`, `database`): a log search for the stack missed these lines.
  for (const skip of limited) assert.equal(skip.stack, spelled.get(String(skip.uuid)), skip.container);
  assert.equal(limited.find((skip) => skip.container === "db-1")?.stack, "DataBase");
});

test("backend-limit leaves a stack's backends out together: a path is never cut away from its stack's / backend", () => {
  // Names sort fillers (r…, s…) first, then stack zz's `/` backend, then its https=only path `zz.api`.
  const hex = (i: number) => i.toString(16).padStart(5, "0");
  const heavy = (i: number) => ({ ...heavyContainer(i), uuid: hex(i), stack_name: `s${hex(i)}` });
  const small = (i: number) => container({ name: `r-${i}`, uuid: `f${hex(i)}`, stack_name: `r${hex(i)}` });
  const zz = [
    container({ name: "zz-web-1", stack_name: "zz" }),
    container({
      name: "zz-api-1",
      stack_name: "zz",
      service_name: "api",
      labels: { [L]: "80", [`${L}.path`]: "/api", [`${L}.https`]: "only", [`${L}.hsts`]: "31536000" },
    }),
  ];
  const blockBytes = (containers: Record<string, unknown>[]) =>
    buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS).backends.map(
      (backend) => renderBackendBlock(backend).length + 1,
    );
  const [heavyBytes = 0] = blockBytes([heavy(0)]);
  const [smallBytes = 0] = blockBytes([small(0)]);
  const [webBytes = 0, apiBytes = 0] = blockBytes(zz);
  assert.ok(apiBytes > smallBytes);
  // Fill the file so that everything up to zz's `/` backend fits and zz.api does not.
  let room = MAX_BACKENDS_BYTES - (BACKENDS_HEADER.length + 1) - webBytes;
  const heavies = Math.floor(room / heavyBytes);
  room -= heavies * heavyBytes;
  const smalls = Math.floor(room / smallBytes);
  room -= smalls * smallBytes;
  assert.ok(room >= 0 && room < apiBytes);
  const containers = [
    ...Array.from({ length: heavies }, (_, i) => heavy(i)),
    ...Array.from({ length: smalls }, (_, i) => small(i)),
    ...zz,
  ];
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const files = renderFiles(table, { backendsPath: "b", domainMapPath: "m" });
  // Before, zz was kept and zz.api left out: zz.dev.tld/api went to zz's `/` service, over plain HTTP.
  assert.deepEqual(
    files.map.content.split("\n").filter((line) => line.startsWith("zz.")),
    [],
    "no key of stack zz: its host answers 503, never its / service for /api",
  );
  assert.deepEqual(
    table.skipped.filter((skip) => skip.stack === "zz").map((skip) => [skip.container, skip.code]),
    [
      ["zz-api-1", "backend-limit"],
      ["zz-web-1", "backend-limit"],
    ],
  );
  assert.ok(
    table.backends.some((backend) => backend.name === `r${hex(smalls - 1)}`),
    "the fillers fit",
  );
});

test("describeValue's cut keeps a surrogate pair whole: a reason never ends in half an emoji", () => {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  // The rendered text is cut at 77 units: a quote and 75 letters put the emoji's halves at 76 and 77.
  for (const value of [`${"a".repeat(75)}😀😀`, { [`${"k".repeat(70)}😀`]: `${"v".repeat(3)}😀` }]) {
    const text = describeValue(value);
    assert.ok(text.endsWith("..."), text);
    assert.doesNotMatch(text, lone, text);
  }
  // Inside a string's own cut (80 units), the pair is dropped whole, not escaped as a lone `\ud83d`.
  assert.doesNotMatch(describeValue([`${"b".repeat(79)}😀`]), /\\ud83d/);
});
