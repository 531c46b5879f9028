// unroutedStacks, the reloader's check of a stale domain map: a stack none of whose backends a map line
// names is found, a stack with one named backend of two is not (two services of a stack asking for one
// path: generate-maps names the winner only), and `tcp_<port>` backends never are, named or not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { stackOfBackend, unroutedStacks, type SharedBackend } from "../src/index.js";

const server = { name: "web-1", address: "127.0.0.64", port: 8080 };
const backend = (name: string): SharedBackend =>
  name.startsWith("tcp_") ? { name, mode: "tcp", servers: [server] } : { name, servers: [server] };
const table = (backends: string[], hosts: Record<string, string>) => ({
  backends: backends.map(backend),
  hosts: Object.entries(hosts).map(([fqdn, name]) => ({ fqdn, backend: name })),
});

test("a stale map naming only an old stack's backend: the new stacks are unrouted, in file order", () => {
  const stale = table(["blog", "shop", "shop.api", "wiki.docs"], { "blog.dev.tld": "blog" });
  assert.deepEqual(unroutedStacks(stale), ["shop", "wiki"]);
});

test("a map naming one of two backends of a stack routes the stack", () => {
  const twins = table(["shop.api", "shop.web"], { "shop.dev.tld/api": "shop.api" });
  assert.deepEqual(unroutedStacks(twins), []);
  const alias = table(["shop", "shop.api"], { "www.example.com": "shop.api" });
  assert.deepEqual(unroutedStacks(alias), []);
});

test("tcp_<port> backends are no stack: TCP-only tables and unnamed TCP backends give nothing", () => {
  assert.deepEqual(unroutedStacks(table(["tcp_5432", "tcp_6379"], {})), []);
  assert.deepEqual(unroutedStacks(table(["shop", "tcp_5432"], { "shop.dev.tld": "shop" })), []);
});

test("an empty map leaves every stack unrouted (the reloader's empty-map report speaks for it)", () => {
  assert.deepEqual(unroutedStacks(table(["shop", "shop.api", "blog"], {})), ["shop", "blog"]);
  assert.deepEqual(unroutedStacks(table([], {})), []);
});

test("a backend's stack is its name up to the first dot", () => {
  assert.deepEqual(["shop", "shop.api", "a.b.c"].map(stackOfBackend), ["shop", "shop", "a"]);
});
