// Which sections of a base config a generated backend's name collides with in HAProxy 2.6 (backend,
// listen and log-forward share one name space; a frontend and the other sections do not: checked with
// `haproxy -c`), and the routing table without the backends they name and the map lines naming those.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { SharedTable } from "@rancher-haproxy/core";
import { clashingSections } from "../src/model/clashing-sections.ts";
import { hardStopAfterOf } from "../src/model/hard-stop-after.ts";
import { withoutClashingBackends } from "../src/model/without-clashing-backends.ts";
import { renderBaseConfig } from "../src/render/render-base-config.ts";
import { baseConfigInput } from "./helpers/base-config-input.ts";

test("backend, listen and log-forward sections named as a generated backend could be, with their lines", () => {
  const text = [
    "global", // 1
    "    default-path config",
    "frontend legacy", // 3: a frontend has a name space of its own
    "    bind :80",
    "backend legacy", // 5
    '  listen "shop.web"', // 6: indented and quoted, as HAProxy reads it
    "log-forward tcp_5432", // 7: a generated tcp_<port> backend's name
    "frontend tcp_6379", // 8: what the README asks for with --config and TCP_PORTS
    "backend fallback_mine", // 9: a `_`
    "backend Legacy", // 10: HAProxy's names are case-sensitive, a stack's lower case
    "backend a.b.c", // 11: three labels: no <stack>.<service>
    "backend tcp_0", // 12: no port
    ".if 0",
    "backend skipped", // 14: in a branch HAProxy skips
    ".endif",
    "defaults blog", // 16
    "peers blog",
    "userlist blog",
    "cache blog",
    "ring blog",
    "resolvers blog",
    "program blog",
    "http-errors blog",
    "mailers blog",
    "# backend commented",
    "backend",
    "",
  ].join("\n");
  assert.deepEqual(clashingSections(text), [
    { kind: "backend", name: "legacy", line: 5 },
    { kind: "listen", name: "shop.web", line: 6 },
    { kind: "log-forward", name: "tcp_5432", line: 7 },
  ]);
});

// What HAProxy 2.6 does, checked with `haproxy -c` and the variable set (even empty) and unset: each
// form below, and that HAProxy sets HAPROXY_LOCALPEER itself and setenv changes what a later line sees.
test("a section under .if defined(X) counts only when X is in the environment HAProxy inherits", () => {
  const text = (condition: string, global: readonly string[] = []) =>
    ["global", ...global, `.if ${condition}`, "backend legacy", ".endif", "listen shop"].join("\n");
  const names = (base: string, environment?: ReadonlyMap<string, string>) =>
    clashingSections(base, environment).map((section) => section.name);
  const set = new Map([["RH_LEGACY", ""]]);
  const unset = new Map<string, string>();
  assert.deepEqual(names(text("defined(RH_LEGACY)"), set), ["legacy", "shop"]);
  assert.deepEqual(names(text("defined(RH_LEGACY)"), unset), ["shop"]);
  assert.deepEqual(names(text("!defined(RH_LEGACY)"), set), ["shop"]);
  assert.deepEqual(names(text("!defined(RH_LEGACY)"), unset), ["legacy", "shop"]);
  assert.deepEqual(names(text('"defined(RH_LEGACY)"'), unset), ["shop"]); // quotes go before it is read
  assert.deepEqual(names(text("defined(RH_LEGACY) && 1"), unset), ["shop"]);
  assert.deepEqual(names(text("0 || defined(RH_LEGACY)"), set), ["legacy", "shop"]);
  assert.deepEqual(names(text("defined(rh_legacy)"), set), ["shop"]); // names are case-sensitive
  // HAProxy reads a predicate's argument up to its `)`, spaces included: `defined( X )` asks for " X ".
  assert.deepEqual(names(text("defined( RH_LEGACY )"), set), ["shop"]);
  // Not known, so counted as before: no environment given, a name HAProxy sets itself, a text that
  // changes the environment while it is read.
  assert.deepEqual(names(text("defined(RH_LEGACY)")), ["legacy", "shop"]);
  assert.deepEqual(names(text("defined(HAPROXY_LOCALPEER)"), unset), ["legacy", "shop"]);
  assert.deepEqual(names(text("defined(RH_LEGACY)", ["    setenv RH_LEGACY 1"]), unset), ["legacy", "shop"]);
  const unsetenv = [".if 0", "    unsetenv RH_LEGACY", ".endif"];
  assert.deepEqual(names(text("defined(RH_LEGACY)", unsetenv), unset), ["legacy", "shop"]); // in any branch
});

// A condition HAProxy reads however long (10 001 `!`: `haproxy -c` takes them, as run here) or refuses
// (100 000 unclosed `(`, past its nesting limit) is read without a throw; the reader recursed for each
// `!` and `(` until 2026-12-05, and overflowed the stack: RangeError at start or at a reload's check.
test("a condition of thousands of ! or ( is read as HAProxy reads it, or counts, and never throws", async (t) => {
  const text = (condition: string) =>
    [
      "global",
      `.if ${condition}`,
      "backend legacy",
      '    .notice "legacy read"',
      ".endif",
      "listen shop",
    ].join("\n");
  const negated = text(`${"!".repeat(10_001)}defined(RH_LEGACY)`);
  const names = (base: string, environment: ReadonlyMap<string, string>) =>
    clashingSections(base, environment).map((section) => section.name);
  assert.deepEqual(names(negated, new Map([["RH_LEGACY", ""]])), ["shop"]);
  assert.deepEqual(names(negated, new Map()), ["legacy", "shop"]);
  assert.deepEqual(names(text("(".repeat(100_000)), new Map()), ["legacy", "shop"]);
  assert.deepEqual(names(text(`${"(".repeat(100_000)}1${")".repeat(100_000)}`), new Map()), [
    "legacy",
    "shop",
  ]);
  assert.equal(hardStopAfterOf(`global\n.if ${"!(".repeat(50_000)}\nhard-stop-after 5s\n.endif`), "5s");

  // What HAProxy 2.6 makes of the 10 001 `!`: the branch is read exactly when RH_LEGACY is not set.
  const directory = await mkdtemp(join(tmpdir(), "rh-negated-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const file = join(directory, "negated.cfg");
  await writeFile(file, `${negated}\n    mode tcp\n`);
  const noticed = (environment: NodeJS.ProcessEnv) => {
    const run = spawnSync("haproxy", ["-c", "-f", file], { env: environment, encoding: "utf8" });
    assert.match(run.stdout + run.stderr, /has no error|is valid/);
    return (run.stdout + run.stderr).includes("legacy read");
  };
  const { RH_LEGACY: _unset, ...without } = process.env;
  assert.equal(noticed({ ...without, RH_LEGACY: "" }), false);
  assert.equal(noticed(without), true);
});

// What `haproxy -c` says of `text` with a generated `backend <name>` after it, in `environment` (and
// PATH): "duplicate" when the two proxies share the name, "passes" when it has no error (no listener
// needed), else its output (the test then fails on it).
function haproxyVerdict(directory: string, text: string, name: string, environment: Record<string, string>) {
  const user = join(directory, "user.cfg");
  const generated = join(directory, "generated.cfg");
  writeFileSync(user, `${text}\n`);
  writeFileSync(generated, `backend ${name}\n    mode http\n    server s1 127.0.0.1:1\n`);
  const run = spawnSync("haproxy", ["-c", "-f", user, "-f", generated], {
    env: { PATH: process.env["PATH"] ?? "", ...environment },
    encoding: "utf8",
  });
  const output = run.stdout + run.stderr;
  if (/has the same name as/.test(output)) return "duplicate";
  return /has no error|is valid/.test(output) ? "passes" : output;
}

const DEFAULTS = [
  "global",
  "defaults",
  "    timeout connect 1s",
  "    timeout client 1s",
  "    timeout server 1s",
];

// HAProxy 2.6 builds a word from quoted parts, escapes and (inside double quotes only) environment
// variables; each form below was named wrongly or not at all until 2026-12-05, so a stack of that name
// failed every check and froze all routing. Each verdict is the real `haproxy -c`'s.
test("a section name HAProxy builds from quotes, escapes or variables is named as HAProxy names it", async (t) => {
  const directory = await mkdtemp(join(tmpdir(), "rh-section-words-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const environment = { RH_NAME: "legacy", RH_PART: "gacy", RH_WORDS: "legacy extra", RH_EMPTY: "" };
  const cases: [header: string, name: string, clashes: boolean][] = [
    ['backend le"ga"cy', "legacy", true],
    ["backend 'legacy'", "legacy", true],
    ["backend leg\\x61cy", "legacy", true],
    ['listen "$RH_NAME"', "legacy", true],
    ['backend "${RH_NAME}"', "legacy", true],
    ['backend le"$RH_PART"', "legacy", true],
    ['log-forward "${RH_UNSET-legacy}"', "legacy", true], // the default of an unset variable
    ['backend "${RH_EMPTY-shop}"legacy', "legacy", true], // set, even empty: no default
    ['backend "${RH_WORDS[*]}"', "legacy", false], // split into words: `backend legacy extra` (below)
    ['backend "${RH_NAME[*]}"', "legacy", true],
    ['"back"end shop.\\x77eb', "shop.web", true], // the keyword too
    ['backend "$RH_UNSET"legacy', "legacy", true], // unset: nothing
    ["backend legacy\\x00junk", "legacy", true], // HAProxy's C string ends at the NUL
    ['frontend "$RH_NAME"', "legacy", false],
    ['backend "$RH_NAME"2', "legacy", false],
    // HAProxy 2.6.12 makes no proxy of a header with a third word other than `from <defaults>`.
    ["backend legacy extra", "legacy", false],
    ["listen legacy from", "legacy", false],
    ['backend legacy ""', "legacy", true],
  ];
  for (const [header, name, clashes] of cases) {
    const text = [...DEFAULTS, header].join("\n");
    const verdict = haproxyVerdict(directory, text, name, environment);
    assert.equal(verdict, clashes ? "duplicate" : "passes", `${header}: ${verdict}`);
    const named = clashingSections(text, new Map(Object.entries(environment))).map((section) => section.name);
    assert.equal(named.includes(name), clashes, `${header}: ${named.join(", ")}`);
  }
  // A variable HAProxy sets itself is not known: that section is not named.
  const localPeer = [...DEFAULTS, 'backend "$HAPROXY_LOCALPEER"'].join("\n");
  assert.deepEqual(clashingSections(localPeer, new Map(Object.entries(environment))), []);
});

// HAProxy runs a `global` section's setenv, presetenv, unsetenv and resetenv as it reads them, and a
// master's reload starts from what they left: a section is named as `haproxy -c` names it (the reloader's
// environment, each line applied where it is read) and as a reload does. Until 2026-12-05 any such line
// made every variable unknown, so `setenv NAME legacy` then `backend "$NAME"` froze the routing of a stack
// legacy; and a name such a line named was then not known before it, after one in a branch not decided
// here, or with presetenv or resetenv (fixed later that day), so `haproxy -c` still failed on those.
test("a section named from a variable the config sets is named as haproxy -c and a reload name it", async (t) => {
  const directory = await mkdtemp(join(tmpdir(), "rh-section-setenv-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const environment = { RH_NAME: "legacy", RH_KEEP: "legacy" };
  const names = (text: string) =>
    clashingSections(text, new Map(Object.entries(environment))).map((section) => section.name);
  const config = (global: readonly string[], header: string) =>
    ["global", ...global, ...DEFAULTS.slice(1), header].join("\n");
  const cases: [global: string[], header: string, name: string, clashes: boolean][] = [
    [["    setenv RH_SET legacy"], 'listen "${RH_SET}"', "legacy", true],
    [["    setenv RH_NAME shop", "    presetenv RH_NAME x"], 'backend "$RH_NAME"', "shop", true],
    [["    setenv RH_NAME shop"], 'backend "$RH_NAME"', "legacy", false],
    [["    unsetenv RH_NAME"], 'backend "${RH_NAME-legacy}"', "legacy", true],
  ];
  for (const [global, header, name, clashes] of cases) {
    const text = config(global, header);
    assert.equal(haproxyVerdict(directory, text, name, environment), clashes ? "duplicate" : "passes", text);
    assert.equal(names(text).includes(name), clashes, text);
  }
  // A section a line changing the environment comes after, or before, as `haproxy -c` reads it (which
  // fails on it, freezing every change: these were not named until 2026-12-05): a header read before the
  // setenv, after one in a branch not known here (feature(...) is the binary's), after a presetenv (of a
  // set name, or of one no earlier line set), with resetenv, and after a setenv in a branch HAProxy skips.
  const checked: [text: string, name: string][] = [
    [["global", 'backend "$RH_NAME"', "global", "    setenv RH_NAME shop"].join("\n"), "legacy"],
    [config([".if feature(OPENSSL)", "    setenv RH_SET legacy", ".endif"], 'backend "$RH_SET"'), "legacy"],
    [
      config([".if version_before(2.0)", "    setenv RH_NAME shop", ".endif"], 'backend "$RH_NAME"'),
      "legacy",
    ],
    [config(["    presetenv RH_NEW legacy"], 'backend "$RH_NEW"'), "legacy"],
    [config(["    presetenv RH_NAME shop"], 'backend "$RH_NAME"'), "legacy"],
    [config(["    resetenv"], 'backend "${RH_NAME-legacy}"'), "legacy"],
    [config(["    resetenv"], 'backend "${RH_KEEP-shop}"'), "shop"],
    [config(["    resetenv RH_KEEP"], 'backend "${RH_KEEP-shop}"'), "legacy"],
    [config([".if 0", "    setenv RH_NAME shop", ".endif"], 'backend "$RH_NAME"'), "legacy"],
  ];
  for (const [text, name] of checked) {
    assert.equal(haproxyVerdict(directory, text, name, environment), "duplicate", text);
    assert.ok(names(text).includes(name), text);
  }
  // Read before the setenv, the header names RH_NAME's value in `haproxy -c` and `shop` in a master's
  // reload, which starts from the environment that parse left: both are named.
  const before = ["global", 'backend "$RH_NAME"', "global", "    setenv RH_NAME shop"].join("\n");
  assert.deepEqual(names(before), ["legacy", "shop"]);
});

// `.if` conditions on the environment HAProxy evaluates itself (`"$X"`, `streq`, `strneq`), read as it
// does; until 2026-12-05 they counted as true, so a stack named like a section HAProxy skips was left
// out. Conditions on the binary (`feature`, `version_*`) still count. Each verdict is `haproxy -c`'s.
test('a section under .if streq, strneq or "$X" counts only when HAProxy reads it', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), "rh-section-conditions-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const cases: [condition: string, environment: Record<string, string>, clashes: boolean][] = [
    ['streq("$RH_MODE",legacy)', { RH_MODE: "legacy" }, true],
    ['streq("$RH_MODE",legacy)', { RH_MODE: "other" }, false],
    ['streq("$RH_MODE",legacy)', {}, false],
    ['strneq("${RH_MODE}",legacy)', { RH_MODE: "legacy" }, false],
    ['strneq("${RH_MODE}",legacy)', {}, true],
    ['"$RH_FLAG"', { RH_FLAG: "1" }, true],
    ['"$RH_FLAG"', { RH_FLAG: "0" }, false],
    ['"$RH_FLAG"', {}, false], // nothing: an empty condition is false
    ['"${RH_FLAG-1}"', {}, true],
    ['"$RH_FLAG" && streq(a, a)', { RH_FLAG: "0x1" }, false], // " a" is not "a"
    ['!"$RH_FLAG" || streq(a,a)', { RH_FLAG: "1" }, true],
    ["streq(\"$RH_MODE\",'a b')", { RH_MODE: "a b" }, true],
    ['"streq($RH_MODE,x) || 0"', { RH_MODE: "x" }, true], // one quoted word, spaces in it
    ["streq($RH_MODE,legacy)", { RH_MODE: "legacy" }, false], // outside double quotes: `$RH_MODE` as is
    ["streq('$RH_MODE',$RH_MODE)", { RH_MODE: "legacy" }, true],
  ];
  for (const [condition, environment, clashes] of cases) {
    const text = [...DEFAULTS, `.if ${condition}`, "backend legacy", ".endif"].join("\n");
    const verdict = haproxyVerdict(directory, text, "legacy", environment);
    assert.equal(verdict, clashes ? "duplicate" : "passes", `${condition} ${JSON.stringify(environment)}`);
    const named = clashingSections(text, new Map(Object.entries(environment))).map((section) => section.name);
    assert.deepEqual(named, clashes ? ["legacy"] : [], `${condition} ${JSON.stringify(environment)}`);
  }
  // Not known here (the binary's features and version): counted, as before.
  for (const condition of [
    "feature(OPENSSL)",
    "!feature(OPENSSL)",
    "version_atleast(2.4)",
    "version_before(2.4)",
  ]) {
    const text = [...DEFAULTS, `.if ${condition}`, "backend legacy", ".endif"].join("\n");
    assert.deepEqual(
      clashingSections(text, new Map()).map((section) => section.name),
      ["legacy"],
      condition,
    );
  }
});

test("the rendered base config has no section a generated backend could clash with", () => {
  const rendered = renderBaseConfig(
    baseConfigInput("/state", {
      stats: { port: 1936, username: "ops", password: "s3cret-Pw9" },
      tcpPorts: [5432, 6379],
    }),
  );
  assert.match(rendered, /^listen rh_stats$/m);
  assert.match(rendered, /^frontend tcp_5432$/m);
  assert.deepEqual(clashingSections(rendered), []);
});

test("the backends a section names are left out with the map lines naming them; none named: the same table", () => {
  const server = { name: "web-1", address: "10.42.0.1", port: 80 };
  const table: SharedTable = {
    backends: [
      { name: "app", servers: [server] },
      { name: "legacy", servers: [server] },
      { name: "shop.web", servers: [server] },
    ],
    hosts: [
      { fqdn: "app.dev.tld", backend: "app" },
      { fqdn: "legacy.dev.tld", backend: "legacy" },
      { fqdn: "old.dev.tld/api", backend: "legacy" },
      { fqdn: "shop.dev.tld", backend: "shop.web" },
    ],
  };
  const sections = [
    { kind: "backend", name: "legacy", line: 5 },
    { kind: "listen", name: "legacy", line: 9 }, // HAProxy refuses that one itself: the first is named
    { kind: "backend", name: "absent", line: 12 },
  ];
  const { table: kept, refused } = withoutClashingBackends(table, sections);
  assert.deepEqual(refused, [{ backend: "legacy", section: sections[0], hosts: 2 }]);
  assert.deepEqual(
    kept.backends.map((backend) => backend.name),
    ["app", "shop.web"],
  );
  assert.deepEqual(kept.hosts, [
    { fqdn: "app.dev.tld", backend: "app" },
    { fqdn: "shop.dev.tld", backend: "shop.web" },
  ]);
  assert.equal(withoutClashingBackends(table, []).table, table);
  assert.equal(withoutClashingBackends(table, [sections[2]!]).table, table);
});
