// Step 3 of the model, table-driven: which aliases become host lines, and why the others do not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveAliases, type AliasSkipCode } from "../src/index.js";
import { MAX_ALIAS_ENTRIES } from "../src/model/resolve-aliases.js";

const ROUTED = new Set(["app-r123", "app-r124", "www-stack"]);
const resolve = (aliases: Record<string, unknown>, domain = "dev.tld") =>
  resolveAliases(aliases, { routed: ROUTED, present: ROUTED }, domain);
const hostsOf = (aliases: Record<string, unknown>) =>
  resolve(aliases).hosts.map((h) => `${h.fqdn} ${h.backend}`);
const skipsOf = (aliases: Record<string, unknown>) =>
  resolve(aliases).skipped.map((s) => `${s.stack}:${s.alias}:${s.code}`);

test("aliases of routed stacks become <alias>.<domain> lines, sorted, lower case, deduplicated", () => {
  assert.deepEqual(hostsOf({ "app-r123": ["www", "shop", "WWW", "a.b.c"] }), [
    "a.b.c.dev.tld app-r123",
    "shop.dev.tld app-r123",
    "www.dev.tld app-r123",
  ]);
  assert.deepEqual(skipsOf({ "app-r123": ["www", "shop", "WWW"] }), []);
  assert.deepEqual(
    hostsOf({ "app-r123": "www" }),
    ["www.dev.tld app-r123"],
    "a single name is a list of one",
  );
  assert.deepEqual(
    hostsOf({ "APP-R123": ["x"] }),
    ["x.dev.tld app-r123"],
    "stack keys match case-insensitively",
  );
  assert.equal(resolve({ "app-r123": ["www"] }).hosts[0]?.source, "alias");
});

const SKIPS: [string, Record<string, unknown>, AliasSkipCode, RegExp][] = [
  ["not a DNS name", { "app-r123": ["bad_name"] }, "alias-invalid", /"bad_name" is not a DNS name/],
  ["a wildcard", { "app-r123": ["*.x"] }, "alias-invalid", /not a DNS name/],
  ["an injected line", { "app-r123": ["www app-r124\nevil"] }, "alias-invalid", /not a DNS name/],
  ["a number", { "app-r123": [42] }, "alias-invalid", /42 is not a DNS name/],
  ["empty", { "app-r123": [""] }, "alias-invalid", /"" is not a DNS name/],
  ["a trailing dot", { "app-r123": ["www."] }, "alias-invalid", /not a DNS name/],
  ["a list that is an object", { "app-r123": { www: true } }, "alias-invalid", /must be a list of names/],
  ["a list that is null", { "app-r123": null }, "alias-invalid", /must be a list of names/],
  [
    "too long with the domain",
    { "app-r123": [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}`] },
    "alias-invalid",
    /longer than 253/,
  ],
  [
    "a stack without routed containers",
    { "app-r125": ["beta"] },
    "alias-stack-not-routed",
    /stack app-r125 has no routed container/,
  ],
  [
    "an unknown, invalid stack",
    { "no such stack!": ["beta"] },
    "alias-stack-not-routed",
    /has no routed container/,
  ],
  ["the stack's own name", { "app-r123": ["app-r123"] }, "alias-redundant", /own name/],
  [
    "another routed stack's name",
    { "app-r123": ["app-r124"] },
    "alias-shadowed",
    /routed stack app-r124, which keeps its host/,
  ],
];

for (const [name, aliases, code, reason] of SKIPS) {
  test(`an alias is skipped when it is ${name}`, () => {
    const { hosts, skipped } = resolve(aliases);
    assert.deepEqual(hosts, []);
    assert.equal(skipped.length, 1, JSON.stringify(skipped));
    assert.equal(skipped[0]?.code, code);
    assert.match(skipped[0]?.reason ?? "", reason);
  });
}

test("a stack with a labelled container, routed or not, keeps its host and the names under it from every alias", () => {
  // deploying: a labelled container, none routed (initializing, starting...); gone: no labelled container.
  const present = new Set([...ROUTED, "deploying"]);
  const result = resolveAliases(
    {
      "app-r123": ["deploying", "login.deploying", "a.app-r124", "gone", "login.gone", "x.app-r123"],
      deploying: ["y"],
    },
    { routed: ROUTED, present },
    "dev.tld",
  );
  assert.deepEqual(
    result.hosts.map((h) => `${h.fqdn} ${h.backend}`),
    ["gone.dev.tld app-r123", "login.gone.dev.tld app-r123", "x.app-r123.dev.tld app-r123"],
  );
  assert.deepEqual(
    result.skipped.map((s) => `${s.stack}:${s.alias}:${s.code}: ${s.reason}`),
    [
      "app-r123:deploying:alias-shadowed: alias deploying is the name of stack deploying, which has an HTTP-labelled container (none routed at the moment: deploying, stopped or failing its checks) and keeps its host and the names under it",
      "app-r123:login.deploying:alias-shadowed: alias login.deploying is under the host deploying.dev.tld of stack deploying, which has an HTTP-labelled container (none routed at the moment: deploying, stopped or failing its checks) and keeps its host and the names under it",
      "app-r123:a.app-r124:alias-shadowed: alias a.app-r124 is under the host app-r124.dev.tld of routed stack app-r124, which keeps its host and the names under it",
      "deploying:y:alias-stack-not-routed: stack deploying has no routed container",
    ],
  );
  // A shadowed alias reserves nothing for its stack (its names are the other stack's); the others do.
  assert.deepEqual([...result.reserved].map(([host, stack]) => `${host} ${stack}`).sort(), [
    "gone.dev.tld app-r123",
    "login.gone.dev.tld app-r123",
    "x.app-r123.dev.tld app-r123",
    "y.dev.tld deploying",
  ]);
});

test("an alias claimed by two stacks goes to the first by stack name, in any key order", () => {
  for (const aliases of [
    { "www-stack": ["shared"], "app-r124": ["shared"], "app-r123": ["shared"] },
    { "app-r123": ["shared"], "www-stack": ["shared"], "app-r124": ["shared"] },
  ]) {
    assert.deepEqual(hostsOf(aliases), ["shared.dev.tld app-r123"]);
    const skipped = resolve(aliases).skipped;
    assert.deepEqual(skipped.map((s) => `${s.stack}:${s.code}`).sort(), [
      "app-r124:alias-conflict",
      "www-stack:alias-conflict",
    ]);
    assert.match(skipped[0]?.reason ?? "", /also claimed by stack app-r123, which wins/);
  }
});

test("a stack host always beats an alias, even one listed first", () => {
  const { hosts } = resolve({ "app-r123": ["www-stack", "x"] });
  assert.deepEqual(
    hosts.map((h) => h.fqdn),
    ["x.dev.tld"],
  );
});

test("keys like __proto__ are plain stack names", () => {
  const aliases = JSON.parse('{"__proto__":["x"],"app-r123":["y"]}') as Record<string, unknown>;
  assert.deepEqual(hostsOf(aliases), ["y.dev.tld app-r123"]);
  assert.deepEqual(skipsOf(aliases), ["__proto__:x:alias-stack-not-routed"]);
});

test("an aliases answer that is not a map of stacks gives no alias and one skip, never a throw (issue 11.6)", () => {
  for (const answer of [["www", "shop"], "www", 7, null]) {
    const result = resolveAliases(answer, { routed: new Set(["shop"]), present: new Set() }, "dev.tld");
    assert.deepEqual(result.hosts, []);
    assert.equal(result.skipped.length, 1);
    assert.equal(result.skipped[0]?.code, "alias-invalid");
    assert.match(result.skipped[0]?.reason ?? "", /must map stack names to lists of names/);
  }
});

test("the aliases answer is read up to 100 000 names and stacks: the rest is one alias-limit skip, not a record each", () => {
  // 150 000 numbers (not names) for one stack, then a routed stack's real alias past the cut.
  const flood = resolve({ "app-r123": Array.from({ length: 150_000 }, () => 1), "www-stack": ["news"] });
  assert.equal(flood.skipped.length, MAX_ALIAS_ENTRIES + 1);
  const limit = flood.skipped.filter((skip) => skip.code === "alias-limit");
  assert.deepEqual(
    limit.map((skip) => `${skip.stack}:${skip.alias}:${skip.reason}`),
    [
      "app-r123:(50001 aliases):the aliases answer names more than 100000 aliases: the 50001 past that (from stack app-r123 on, in stack name order) are not used",
    ],
  );
  assert.deepEqual(flood.hosts, [], "www-stack's alias came after the cut");
  // Names before the cut are used.
  const early = resolve({ "app-r123": ["www"], "app-r124": Array.from({ length: 100_000 }, () => 1) });
  assert.deepEqual(
    early.hosts.map((host) => host.fqdn),
    ["www.dev.tld"],
  );
  assert.equal(early.skipped.filter((skip) => skip.code === "alias-limit").length, 1);

  const stacks = Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`s${i}`, []]));
  const tooMany = resolve({ ...stacks, "app-r123": ["www"] });
  assert.deepEqual(tooMany.hosts, []);
  assert.deepEqual(
    tooMany.skipped.map((skip) => `${skip.stack}:${skip.alias}:${skip.code}`),
    ["(all stacks):(100002 stacks):alias-limit"],
  );
});
