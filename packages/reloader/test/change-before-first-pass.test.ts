// Files that change between the start's snapshot (prepareInitial) and the first pass: HAProxy started
// from the staged snapshot, whose state is known (knownAfterStart), so the change is a runtime step, and
// the live worker must then equal a fresh HAProxy on the `current` snapshot (what a restart runs).
import assert from "node:assert/strict";
import { access, chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { hashInputs } from "../src/sources/read-inputs.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { freshView, readView } from "./helpers/haproxy-view.ts";

test("a change written while HAProxy starts is applied at runtime onto the started snapshot, as the files say", async (t) => {
  const { app, other, fixture } = await appFixture(t, ["127.0.0.161", "127.0.0.162"], { deferStart: true });
  // The changed files: a second server in app (a free slot) and a second map key.
  const next = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }, { address: other.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }),
  };
  const staged = join(fixture.dir, "next");
  await writeFile(`${staged}.backends`, next.backends);
  await writeFile(`${staged}.map`, next.map);
  // An HAProxy binary that, at the master's start afresh (once), renames the changed files in place
  // before it runs the real HAProxy: after prepareInitial staged the start's snapshot, before the first pass.
  const bin = join(fixture.dir, "haproxy-changing");
  const marker = join(fixture.dir, "changed");
  await writeFile(
    bin,
    [
      "#!/bin/sh",
      `case " $* " in *" -W "*) if [ ! -e ${marker} ]; then`,
      `  : > ${marker}`,
      `  cp ${staged}.backends ${fixture.backendConfig}.t && mv ${fixture.backendConfig}.t ${fixture.backendConfig}`,
      `  cp ${staged}.map ${fixture.domainMap}.t && mv ${fixture.domainMap}.t ${fixture.domainMap}`,
      "fi ;; esac",
      'exec haproxy "$@"',
      "",
    ].join("\n"),
  );
  await chmod(bin, 0o755);
  const reloader = await fixture.start(["--haproxy-bin", bin]);
  await access(marker);
  const base = await readFile(join(fixture.stateDir, "haproxy.cfg"));
  const hash = hashInputs(base, Buffer.from(next.backends), Buffer.from(next.map));
  const applied = await waitFor(
    () =>
      reloader.logs.find(
        (entry) =>
          (entry.event === "runtime.applied" || entry.event === "reload.applied") &&
          entry["inputsHash"] === hash,
      ) ?? null,
    { timeoutMs: 20_000, message: "the change written during the start to be applied" },
  );
  assert.equal(applied.event, "runtime.applied", "applied at runtime onto the started snapshot");
  assert.equal(reloader.count("reload.applied"), 0, "no reload");
  const live = await readView(join(fixture.stateDir, "master.sock"));
  assert.ok(
    live.map.some((entry) => entry.startsWith("www.dev.tld ")),
    `the new key is live: ${live.map.join(", ")}`,
  );
  assert.deepEqual(live, await freshView(fixture), "the live worker equals a fresh HAProxy on `current`");
});
