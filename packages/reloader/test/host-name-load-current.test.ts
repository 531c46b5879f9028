// A restart of HAProxy (its master died) or a reload for the certificates loads the snapshot `current`
// names without an applier pass. Right after a host rename, before the next rescan (--rescan-interval,
// 10 s by default) staged the inputs again, that snapshot was the one checked with the old host name: with
// a --config's `listen "$HAPROXY_LOCALPEER"` and a stack named like the new host name, the restart failed
// at each attempt (`backend 'shop' has the same name as proxy 'shop'`) and the certificates' reload was
// refused, until 2026-12-05. Now each asks the applier first (ConfigApplier.refreshCurrent): when the
// host name moved, a pass stages and checks the inputs with it and points `current` at them. The rescan
// is an hour here, so it is not what saves them. The reloader runs in a UTS namespace of its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import type { Fixture } from "./helpers/fixture.ts";
import { startLargeCertificateMetadata } from "./helpers/large-certificate.ts";
import { setHostName } from "./helpers/local-peer-fixture.ts";
import { outcome } from "./helpers/outcome.ts";
import { renameSeenFirstBy } from "./helpers/rename-seen-first-by.ts";
import { startedWithoutLegacy } from "./helpers/started-without-legacy.ts";
import { THREE_STACK_ROUTES as ROUTES, threeStacks } from "./helpers/three-stacks.ts";

// Starts the reloader (rescans an hour apart) with `env` and `args`; once its start left the stack legacy
// out (for `listen legacy` at `line`) and /healthz is ok: "<status> <body>" of a host's answer.
async function started(
  fixture: Fixture,
  userConfig: string,
  line: number,
  env: Record<string, string> = {},
): Promise<(host: string) => Promise<string>> {
  const args = ["--config", userConfig, "--status-port", "0", "--rescan-interval", "1h"];
  return (await startedWithoutLegacy(fixture, args, line, env)).body;
}

// The events logged from `from` on named `event`.
function since(fixture: Fixture, from: number, event: string): Record<string, unknown>[] {
  return fixture.reloader.logs.slice(from).filter((entry) => entry["event"] === event);
}

// Kills HAProxy's master and waits for the outcome of the first restart that follows its exit
// (haproxy.ready, or haproxy.exited: the master restarted could not load `current`); the log index of the kill.
async function killMaster(fixture: Fixture): Promise<{ killed: number; restart: string }> {
  const ready = fixture.reloader.logs.findLast((entry) => entry["event"] === "haproxy.ready");
  const killed = fixture.reloader.logs.length;
  process.kill(Number(ready?.["pid"]), "SIGKILL");
  await fixture.reloader.waitForEvent("haproxy.exited", { from: killed });
  const exited = fixture.reloader.logs.findIndex(
    (entry, i) => i >= killed && entry["event"] === "haproxy.exited",
  );
  return { killed, restart: await outcome(fixture, exited + 1, ["haproxy.ready", "haproxy.exited"]) };
}

test("HAProxy's master killed right after a rename to a stack's name starts again at its first restart, the stack left out", async (t) => {
  const { fixture, userConfig, line } = await threeStacks(t, 241);
  const body = await started(fixture, userConfig, line);
  assert.equal(await body("legacy.dev.tld"), "404 mine");
  assert.equal(await body("shop.dev.tld"), "200 shop-stack");

  // Renamed `shop`, no file written, and the master killed at once: its restart loads `current`.
  setHostName(fixture.reloader.pid, "shop");
  // A master that cannot load `current` exits (haproxy.exited again) and is restarted again.
  const { killed, restart } = await killMaster(fixture);
  assert.equal(restart, "haproxy.ready");
  assert.equal(since(fixture, killed, "haproxy.restarting").length, 1);
  assert.deepEqual(
    since(fixture, killed, "haproxy.started").map((entry) => entry["reason"]),
    ["restart"],
    "one master started after the kill",
  );
  const renamed = await fixture.reloader.waitForEvent("haproxy.host-name-changed", { from: killed });
  assert.deepEqual([renamed["from"], renamed["to"]], ["legacy", "shop"]);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from: killed });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(await body("shop.dev.tld"), "404 mine");
  assert.equal(await body("app.dev.tld"), "200 app");
  // The pass that staged it goes live: its retry, when HAProxy was down as it planned, finds the restart
  // loaded it (inputs.live); when the restart came first, what runs is not known and it reloads
  // (reload.applied; CI on 2026-12-06, 1 run in 4). A check and a reload after the body checks above,
  // which took past 10 s once on a slow machine (haproxy -c 0.5 s).
  await waitFor(
    () => since(fixture, killed, "inputs.live").length + since(fixture, killed, "reload.applied").length > 0,
    { timeoutMs: 30_000, message: "inputs.live or reload.applied after the kill" },
  );
  assert.equal(fixture.reloader.count("check.failed"), 0);
  assert.equal(fixture.reloader.count("haproxy.gave-up"), 0);
});

test("a reload for the certificates right after a rename to a stack's name loads current staged with the new name", async (t) => {
  const { server, addLarge } = await startLargeCertificateMetadata(t);
  const { fixture, userConfig, line } = await threeStacks(t, 244);
  const env = { ENABLE_SSL: "true", RANCHER_API_HOST: server.hostPort, CERT_POLL_INTERVAL: "300ms" };
  const body = await started(fixture, userConfig, line, env);
  assert.equal(await body("shop.dev.tld"), "200 shop-stack");

  // Renamed `shop`, no file written, then a certificate the runtime API cannot take: a reload of `current`.
  setHostName(fixture.reloader.pid, "shop");
  const from = fixture.reloader.logs.length;
  addLarge();
  assert.equal(await outcome(fixture, from, ["certs.updated", "certs.update-failed"]), "certs.updated");
  const updated = await fixture.reloader.waitForEvent("certs.updated", { from });
  assert.equal(updated["mode"], "reload");
  assert.deepEqual(since(fixture, from, "certs.update-failed"), []);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(await body("shop.dev.tld"), "404 mine");
  assert.equal(fixture.reloader.count("check.failed"), 0);
});

// The restart asks whether the host name moved since `current` was validated, not since the last
// validation: here other inputs (refused by the contract, never run) took the new name first, then the files
// `current` runs came back and went live as they are (nothing staged, no pass after it: no rescan). Asked
// since the last validation (the restart's first version, before the merge with 2aa4878), the name had not
// moved, and the restart loaded `current`, checked with the old name, and failed at each attempt.
test("a restart after a rename first seen by inputs that never ran stages the inputs current runs with the new name", async (t) => {
  const { fixture, userConfig, line, files } = await threeStacks(t, 247);
  const body = await started(fixture, userConfig, line);
  assert.equal(await body("legacy.dev.tld"), "404 mine");

  // Renamed `shop`; the next read is a map line of three fields: validated with the name shop, refused.
  // The files current runs come back: live as they are, nothing staged (current still routes shop).
  const refused = { map: `${renderTestMap(ROUTES)}blog.dev.tld blog extra\n` };
  const { from } = await renameSeenFirstBy(fixture, refused, "inputs.rejected", files);
  assert.deepEqual(since(fixture, from, "inputs.section-clash"), []);

  // The master killed: its restart stages the inputs with the name shop first, and starts at once.
  const { killed, restart } = await killMaster(fixture);
  assert.equal(restart, "haproxy.ready", "the restart loaded current as checked with the name legacy");
  assert.equal(since(fixture, killed, "haproxy.restarting").length, 1);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from: killed });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(await body("shop.dev.tld"), "404 mine");
  assert.equal(fixture.reloader.count("check.failed"), 0);
  assert.equal(fixture.reloader.count("haproxy.gave-up"), 0);
});
