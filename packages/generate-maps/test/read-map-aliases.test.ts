// The aliases read back from a map on disk (a generator started where metadata does not know its own
// container): plain and path keys give their stack's alias names; the untrusted file cannot break the
// cycle with a stack named like an inherited member, and anything odd gives none.
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { readMapAliases } from "../src/sources/read-map-aliases.js";
import { buildRoutingTable } from "../src/index.js";
import { container, MODEL_OPTIONS, tempDir } from "./helpers.js";

test("plain and path keys give their stack's alias names; own hosts are not aliases", async (t) => {
  const dir = await tempDir(t);
  const map = join(dir, "domain.map");
  await writeFile(
    map,
    [
      "shop.dev.tld shop",
      "www.dev.tld shop",
      "news.dev.tld/api blog.api",
      "news.dev.tld/web blog.web",
      "blog.dev.tld/api blog.api",
      // no alias: the map does not route stack gone's own name, it was not written under this domain
      "tag.dev.tld/api gone.api",
      "other.example.com shop",
      "# a comment",
      "",
    ].join("\n"),
  );
  assert.deepEqual({ ...(await readMapAliases(map, "dev.tld")) }, { shop: ["www"], blog: ["news"] });
});

test("stacks named like inherited members are plain keys; the table takes them", async (t) => {
  const dir = await tempDir(t);
  const map = join(dir, "domain.map");
  const own = "__proto__.dev.tld __proto__\nconstructor.dev.tld constructor\ntostring.dev.tld tostring\n";
  await writeFile(map, `${own}a.dev.tld __proto__\nb.dev.tld constructor\nc.dev.tld tostring\n`);
  const aliases = await readMapAliases(map, "dev.tld");
  assert.deepEqual(Object.keys(aliases).sort(), ["__proto__", "constructor", "tostring"]);
  assert.deepEqual(aliases["constructor"], ["b"]);
  const table = buildRoutingTable(
    { containers: [container({ stack_name: "constructor" })], aliases },
    MODEL_OPTIONS,
  );
  assert.ok(table.hosts.some((h) => h.fqdn === "b.dev.tld" && h.backend === "constructor"));
});

test("a missing map, a directory or an unreadable one gives none", async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await readMapAliases(join(dir, "none.map"), "dev.tld"), {});
  await mkdir(join(dir, "dir.map"));
  assert.deepEqual(await readMapAliases(join(dir, "dir.map"), "dev.tld"), {});
});
