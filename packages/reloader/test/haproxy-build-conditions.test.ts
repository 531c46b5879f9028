// A --config's `.if feature(...)`, `version_atleast(...)` and `version_before(...)` are evaluated as
// HAProxy 2.6 evaluates them (cfgcond.c, split_version), from the installed binary's own `haproxy -vv`;
// until 2026-12-05 they were not known, so a section under them counted and a stack of its name was left
// out for nothing (`.if !feature(OPENSSL)` around a `backend legacy` HAProxy never reads).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { clashingSections } from "../src/model/clashing-sections.ts";
import { evaluateCondition } from "../src/model/config-condition.ts";
import { parseHaproxyBuild, type HaproxyBuild } from "../src/model/haproxy-build.ts";
import { hardStopAfterOf } from "../src/model/hard-stop-after.ts";
import { readHaproxyBuild } from "../src/sources/read-haproxy-build.ts";

// The installed binary's build, as the reloader reads it at start.
async function installedBuild(): Promise<HaproxyBuild> {
  const read = await readHaproxyBuild("haproxy");
  assert.ok(read.ok, read.ok ? "" : read.reason);
  assert.match(read.build.version ?? "", /^2\.6\./);
  assert.match(read.build.features ?? "", /[+-]OPENSSL\b/);
  return read.build;
}

// What `haproxy -cc <condition>` says: true (exit 0), false (1) or refused (2).
function haproxySays(condition: string): boolean | "refused" {
  const run = spawnSync("haproxy", ["-cc", condition], { encoding: "utf8" });
  if (run.status === 0 || run.status === 1) return run.status === 0;
  assert.equal(run.status, 2, `${condition}: ${run.stderr}`);
  return "refused";
}

test("feature(), version_atleast() and version_before() are read from haproxy -vv as haproxy -cc reads them", async () => {
  const build = await installedBuild();
  const features = (build.features ?? "").split(" ").map((feature) => feature.slice(1));
  const conditions = [
    // Every feature of the list, a part of one, one it does not name, a sign or a space around it.
    ...features.map((feature) => `feature(${feature})`),
    "feature(THREAD)", // also a prefix of THREAD_DUMP
    "feature(SSL)",
    "feature(PENSSL)",
    "feature(+OPENSSL)",
    "feature(-OPENSSL)",
    "feature(OPENSSL )",
    "feature(openssl)",
    "feature(NOSUCH)",
    "!feature(OPENSSL) || feature(LUA) && !feature(NOSUCH)",
    // Versions: shorter, longer, tags, commit counts, C's wrap-around of strtol into unsigned ints, and
    // what split_version refuses (version_atleast is then true, version_before false).
    ...["2", "2.6", "2.6.0", "2.6.12", "2.6.13", "2.7", "3", "1.9.99", "2.6.12.0", "2.6.12.1"].flatMap(
      (version) => [`version_atleast(${version})`, `version_before(${version})`],
    ),
    "version_atleast(2.6.12-1)",
    "version_atleast(2.6.12-dev1)",
    "version_before(2.6.12-dev1)",
    "version_atleast(2.6-rc1)",
    "version_before(2.6.12-pre3-7)",
    "version_atleast(2.6.12-x-0)",
    "version_atleast(2.6.12-)",
    "version_before(2.6.12-)",
    "version_atleast()",
    "version_before()",
    "version_atleast(x)",
    "version_before(x)",
    "version_atleast(-1)",
    "version_atleast(+2.6)",
    "version_atleast(4294967298)",
    "version_atleast(99999999999999999999)",
    "version_before(2..6)",
    "version_atleast(2.6.12.0.0)",
    "version_atleast(2.6) && !version_before(2.6.12) && version_before(2.6.13)",
  ];
  for (const condition of conditions) {
    const expected = haproxySays(condition);
    assert.equal(
      evaluateCondition(condition, () => null, build),
      expected,
      condition,
    );
    // Without the build nothing of it is known.
    if (!/^[!]?[01]/.test(condition))
      assert.equal(
        evaluateCondition(condition, () => null),
        null,
        condition,
      );
  }
  // feature() with no name: HAProxy's loop runs past the list's end (true here, by chance): not known.
  assert.equal(
    evaluateCondition("feature()", () => null, build),
    null,
  );
});

test("a section under .if feature(...) or version_*(...) counts only when HAProxy reads it", async (t) => {
  const self = { build: await installedBuild() };
  const directory = await mkdtemp(join(tmpdir(), "rh-build-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const base = join(directory, "base.cfg");
  const backends = join(directory, "backends.cfg");
  // A generated `backend legacy` beside the config: haproxy -c fails exactly when the config has one too.
  await writeFile(backends, "backend legacy\n    mode http\n");
  const defaults =
    "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n";
  const conditions = [
    "feature(OPENSSL)",
    "!feature(OPENSSL)",
    "feature(ZLIB)",
    "!feature(ZLIB)",
    "version_atleast(2.6)",
    "version_before(2.6)",
    "version_atleast(2.7) || feature(LUA)",
    "version_before(2.4) || defined(RH_NEVER_SET)",
  ];
  for (const condition of conditions) {
    const text = `${defaults}.if ${condition}\nbackend legacy\n.endif\nlisten shop\n`;
    await writeFile(base, text);
    const run = spawnSync("haproxy", ["-c", "-f", base, "-f", backends], { encoding: "utf8" });
    const clash = /same name/.test(run.stdout + run.stderr);
    assert.equal(clash || /is valid|has no error/.test(run.stdout + run.stderr), true, run.stderr);
    const names = clashingSections(text, new Map(), self).map((section) => section.name);
    assert.deepEqual(names, clash ? ["legacy", "shop"] : ["shop"], condition);
    // Not known without the build: the section counts, as before.
    assert.deepEqual(
      clashingSections(text, new Map()).map((section) => section.name),
      ["legacy", "shop"],
    );
  }
  // hard-stop-after under such a condition too.
  const stop = "global\n    hard-stop-after 30s\n.if !feature(OPENSSL)\n    hard-stop-after 0\n.endif\n";
  assert.equal(
    hardStopAfterOf(stop, new Map(), self),
    self.build.features?.includes("+OPENSSL") ? "30s" : null,
  );
  assert.equal(hardStopAfterOf(stop, new Map()), null); // not known: both read, the last is 0
});

test("haproxy -vv's version and feature list are read; a binary that does not run is no build", async () => {
  const output = [
    "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/",
    "Build options :",
    "",
    "Feature list : -51DEGREES +ACCEPT4 +OPENSSL",
    "",
  ].join("\n");
  assert.deepEqual(parseHaproxyBuild(output), {
    version: "2.6.12-1+deb12u4",
    features: "-51DEGREES +ACCEPT4 +OPENSSL",
  });
  assert.deepEqual(parseHaproxyBuild("HAProxy version 2.6.9 2023/02/15\n"), {
    version: "2.6.9",
    features: null,
  });
  assert.equal(parseHaproxyBuild("bash: haproxy: not found\n"), null);
  const missing = await readHaproxyBuild("/nonexistent/rh-haproxy");
  assert.equal(missing.ok, false);
  const notHaproxy = await readHaproxyBuild("true");
  assert.deepEqual(notHaproxy, { ok: false, reason: "true -vv names no version nor feature list" });
  // Half a build: the feature list not shown leaves feature() not known, versions still read.
  const half = { version: "2.6.12", features: null };
  assert.equal(
    evaluateCondition("feature(OPENSSL)", () => null, half),
    null,
  );
  assert.equal(
    evaluateCondition("version_atleast(2.6)", () => null, half),
    true,
  );
});
