// Names from metadata are checked in lower case, and a character outside ASCII can lower-case into ASCII:
// the Kelvin sign U+212A becomes `k`. A stack Rancher shows as `\u212Aapp` routed as backend `kapp`, an
// alias `\u212Aey` became key.<domain> and a hosts label `\u212Aey.com` became key.com. Such names are
// refused before they are lower-cased: each is skipped with its field's reason, and no other name moves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRoutingTable, renderBackends, renderDomainMap } from "../src/index.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

const KELVIN = "\u212A";
const L = "map-public-http";
const build = (containers: Record<string, unknown>[], aliases: Record<string, unknown> = {}) =>
  buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
const files = (table: ReturnType<typeof build>) => renderBackends(table) + renderDomainMap(table);

test("a stack name outside ASCII is skipped (stack-invalid), not routed as the name it lower-cases to", () => {
  assert.equal(`${KELVIN}app`.toLowerCase(), "kapp", "the look-alike this test is about");
  const table = build([container({ name: "look-alike", stack_name: `${KELVIN}app` })]);
  assert.deepEqual(table.backends, []);
  assert.deepEqual(table.hosts, []);
  assert.doesNotMatch(files(table), /kapp/);
  assert.deepEqual(
    table.skipped.map((skip) => [skip.container, skip.code]),
    [["look-alike", "stack-invalid"]],
  );
  assert.match(table.skipped[0]?.reason ?? "", /^stack_name "\u212Aapp" has a character outside ASCII/);

  // Beside a real stack `kapp`, the look-alike neither joins it nor takes it over as a case twin.
  const real = container({ name: "real", stack_name: "kapp", primary_ip: "127.0.0.61" });
  const both = build([container({ name: "look-alike", stack_name: `${KELVIN}app` }), real]);
  assert.deepEqual(
    both.backends.map((b) => [b.name, b.servers.map((s) => s.address)]),
    [["kapp", ["127.0.0.61"]]],
  );
  assert.deepEqual(
    both.skipped.map((skip) => [skip.container, skip.code]),
    [["look-alike", "stack-invalid"]],
  );

  // The TCP route runs the same checks.
  const tcp = build([container({ stack_name: `${KELVIN}app`, labels: { "map-public-tcp": "5432:5432" } })]);
  assert.deepEqual(tcp.backends, []);
  assert.deepEqual(
    tcp.skipped.map((skip) => skip.code),
    ["stack-invalid"],
  );
});

test("a service name outside ASCII is skipped (service-invalid), not a server line of the name it lower-cases to", () => {
  const table = build([container({ service_name: `${KELVIN}web` })]);
  assert.deepEqual(table.backends, []);
  assert.deepEqual(
    table.skipped.map((skip) => skip.code),
    ["service-invalid"],
  );
  assert.match(table.skipped[0]?.reason ?? "", /^service_name "\u212Aweb" has a character outside ASCII/);
});

test("an alias outside ASCII is skipped (alias-invalid), and an aliases key outside ASCII names no stack", () => {
  const shop = container({ stack_name: "shop" });
  const alias = build([shop], { shop: [`${KELVIN}ey`, "www"] });
  assert.deepEqual(
    alias.hosts.map((h) => h.fqdn),
    ["shop.dev.tld", "www.dev.tld"],
  );
  assert.doesNotMatch(files(alias), /key/);
  assert.deepEqual(
    alias.skippedAliases.map((s) => [s.stack, s.alias, s.code]),
    [["shop", `${KELVIN}ey`, "alias-invalid"]],
  );
  assert.match(
    alias.skippedAliases[0]?.reason ?? "",
    /"\u212Aey" is not a DNS name: it has a character outside ASCII/,
  );

  // The key `\u212Aapp` is not stack kapp: its aliases are not kapp's, and reserve no name.
  const key = build([container({ stack_name: "kapp" })], { [`${KELVIN}app`]: ["www"] });
  assert.deepEqual(
    key.hosts.map((h) => `${h.fqdn} ${h.backend}`),
    ["kapp.dev.tld kapp"],
  );
  assert.deepEqual(
    key.skippedAliases.map((s) => [s.stack, s.alias, s.code]),
    [[`${KELVIN}app`, "www", "alias-stack-not-routed"]],
  );
  assert.match(key.skippedAliases[0]?.reason ?? "", /character outside ASCII/);
});

test("a hosts label outside ASCII is refused (option-fallback, no hosts), not routed as the name it lower-cases to", () => {
  const table = build([container({ name: "a", labels: { [L]: "80", [`${L}.hosts`]: `${KELVIN}ey.com` } })]);
  assert.deepEqual(
    table.hosts.map((h) => h.fqdn),
    ["shop.dev.tld"],
  );
  assert.doesNotMatch(files(table), /key\.com/);
  assert.deepEqual(
    table.notes.map((note) => [note.backend, note.code]),
    [["shop", "option-fallback"]],
  );
  assert.match(table.notes[0]?.reason ?? "", /label map-public-http\.hosts="\u212Aey\.com" must be/);

  // One name outside ASCII refuses the whole label, as any bad name does.
  const mixed = build([
    container({ labels: { [L]: "80", [`${L}.hosts`]: `www.example.com, ${KELVIN}ey.com` } }),
  ]);
  assert.deepEqual(
    mixed.hosts.map((h) => h.fqdn),
    ["shop.dev.tld"],
  );
});

test("a skipped stack outside ASCII owns no name: another stack may claim, or alias, the name it lower-cases to", () => {
  const table = build([
    container({ stack_name: `${KELVIN}app` }),
    container({ stack_name: "shop", labels: { [L]: "80", [`${L}.hosts`]: "kapp.dev.tld" } }),
  ]);
  assert.deepEqual(
    table.hosts.map((h) => `${h.fqdn} ${h.backend} ${h.source}`),
    ["kapp.dev.tld shop hosts", "shop.dev.tld shop stack"],
  );
  // nor does it shadow another stack's alias of that name
  const alias = build([container({ stack_name: `${KELVIN}app` }), container({ stack_name: "shop" })], {
    shop: ["kapp"],
  });
  assert.deepEqual(
    alias.hosts.map((h) => `${h.fqdn} ${h.backend} ${h.source}`),
    ["kapp.dev.tld shop alias", "shop.dev.tld shop stack"],
  );
});
