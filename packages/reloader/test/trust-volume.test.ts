// Issue 11, item 1: nothing written into the shared volume reaches HAProxy except the two generated
// files. A `lua-load` line added to the volume's haproxy.cfg ran os.execute as root (inside haproxy -c).
import assert from "node:assert/strict";
import { readFile, rename, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("a lua-load line written into the volume's haproxy.cfg never runs", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.81" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const marker = join(fixture.dir, "lua-ran");
  const script = join(fixture.dir, "etc", "x.lua");
  await writeFile(script, `os.execute("touch ${marker}")\n`);
  // The attacker owns the volume: the base config there (the copy, or any file of that name).
  const volumeConfig = join(fixture.dir, "etc", "haproxy.cfg");
  const original = await readFile(volumeConfig, "utf8").catch(() => "global\n");
  await writeFileAtomic(volumeConfig, original.replace(/^global\n/m, `global\n    lua-load ${script}\n`));
  // A change of the generated files afterwards: the reloader is live and applies it.
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body === "app", {
    timeoutMs: 10_000,
    message: "the map change is applied",
  });
  await assert.rejects(stat(marker), { code: "ENOENT" }, "the Lua script never ran");
  const running = await readFile(join(fixture.stateDir, "current", "haproxy.cfg"), "utf8");
  assert.doesNotMatch(running, /lua-load/);
});

test("a generated file replaced by a symlink to a secret is refused unread: the secret never reaches the log", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { map: renderTestMap({}) });
  const secret = join(fixture.dir, "secret.key");
  await writeFile(secret, "SECRET-VALUE-4242 is-not-a-map-line\n", { mode: 0o600 });
  const from = fixture.reloader.logs.length;
  await symlink(secret, `${fixture.domainMap}.link`);
  await rename(`${fixture.domainMap}.link`, fixture.domainMap);
  const refusal = () =>
    fixture.reloader.logs
      .slice(from)
      .find((line) => line.event === "inputs.unreadable" || line.event === "inputs.rejected");
  await waitFor(() => refusal() !== undefined, { timeoutMs: 10_000, message: "the map is refused" });
  assert.ok(
    !fixture.reloader.logs.some((line) => JSON.stringify(line).includes("SECRET-VALUE-4242")),
    "the secret's content is not logged",
  );
  assert.match(JSON.stringify(refusal()), /symlink/);
  // The next rescan or event must not read it either; give the debounce and a pass time to run.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(
    !fixture.reloader.logs.some((line) => JSON.stringify(line).includes("SECRET-VALUE-4242")),
    "the secret's content is not logged",
  );
  assert.equal(fixture.reloader.count("reload.applied"), 0);
});

test("a map naming a backend not declared yet is 'not settled': kept out, reported in /healthz, applied once settled", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.86" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.0.87" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const appOnly = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appOnly,
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--rescan-interval", "0"],
  });
  const healthUrl = `${String((await fixture.reloader.waitForEvent("status.listening"))["url"])}/healthz`;
  // The generator died between its writes: the map names `fresh`, the backends file lacks it.
  const from = fixture.reloader.logs.length;
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }) });
  const unsettled = await fixture.reloader.waitForEvent("inputs.unsettled", { from });
  // the map by its path (`map:3` until 2026-12-05: which file, on a volume of several?)
  const reason = String(unsettled["reason"]).replaceAll(fixture.domainMap, "<map>");
  assert.match(reason, /^not settled yet: <map>:\d+ backend "fresh" is not declared/);
  assert.equal(fixture.reloader.count("inputs.rejected"), 0, "not a rejection");
  await waitFor(
    async () => {
      const body = (await (await fetch(healthUrl)).json()) as { lastError: string | null };
      return (body.lastError ?? "").startsWith(`not settled yet: ${fixture.domainMap}:`);
    },
    { timeoutMs: 5000, message: "/healthz reports the unsettled map" },
  );
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  // Retried, not re-logged: one line for this content.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(fixture.reloader.count("inputs.unsettled"), 1);

  // The backends file arrives (in place, as a crashed writer's successor might): applied.
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
    ]),
  });
  await waitFor(
    async () => (await httpRequest({ url: fixture.url, host: "fresh.dev.tld" })).body === "fresh",
    {
      timeoutMs: 10_000,
      message: "the settled change is applied",
    },
  );
});

test("a map naming a backend no backends file can declare is rejected, not waited on as 'not settled'", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.88" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--rescan-interval", "0"],
  });
  const healthUrl = `${String((await fixture.reloader.waitForEvent("status.listening"))["url"])}/healthz`;
  // The reloader's own fallback backend: no generator writes it, no backends file may declare it.
  const from = fixture.reloader.logs.length;
  await fixture.write({ map: `app.dev.tld app\nevil.dev.tld rh_no_route\n` });
  const rejected = await fixture.reloader.waitForEvent("inputs.rejected", { from });
  assert.match(JSON.stringify(rejected), /backend \\"rh_no_route\\" is not a DNS label/);
  assert.equal(fixture.reloader.count("inputs.unsettled"), 0, "not 'not settled yet'");
  await waitFor(
    async () => {
      const body = (await (await fetch(healthUrl)).json()) as { reason: string };
      return /the files on disk are refused/.test(body.reason);
    },
    { timeoutMs: 5000, message: "/healthz reports the refused files" },
  );
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});
