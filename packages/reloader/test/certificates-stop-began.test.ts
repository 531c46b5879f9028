// A certificate pass that got the supervisor's lock once a stop of HAProxy began (it waited behind a pass
// that outlasted the stop's wait for it) writes its files and sends no runtime-API command: the worker is
// soft-stopped and the next start loads the files. Until 2026-12-06 its `set ssl cert`/`commit ssl cert`
// went to the stopping worker. Against a running master's CLI through a relay that notes every command.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "@rancher-haproxy/test-support";
import {
  applyCertificateChanges,
  type CertificateSupervisor,
} from "../src/certs/apply-certificate-changes.ts";
import { certificatePaths } from "../src/certs/render/render-crt-list.ts";
import { createFixture } from "./helpers/fixture.ts";
import { relayMasterCli } from "./helpers/master-cli-relay.ts";

test("certificate changes once a stop of HAProxy began: written, no command for the worker, mode files", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: "127.0.0.244:8080" }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await fixture.reloader.waitForEvent("inputs.live");
  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  let reloads = 0;
  const supervisor: CertificateSupervisor = {
    isRunning: () => true,
    isStopping: () => true,
    exclusive: (task) => task(),
    reload: async () => {
      reloads += 1;
      return { ok: false, kind: "stopping", reason: "stopping", info: null };
    },
  };
  const paths = certificatePaths(join(fixture.stateDir, "stop-began"));
  const path = join(paths.dir, "meta-a.pem");
  const outcome = await applyCertificateChanges(supervisor, {
    changes: { added: [], changed: [path], removed: [] },
    desired: new Map([[path, { digest: "new", pem: "the new PEM\n" }]]),
    loaded: new Map([[path, { digest: "old", pem: "the old PEM\n" }]]),
    paths,
    defaultPath: join(paths.dir, "default.pem"),
    masterSocket: join(fixture.stateDir, "master.sock"),
    reloadPending: false,
  });
  assert.deepEqual(outcome, { mode: "files" });
  assert.deepEqual(
    relay.commands.filter((command) => command.startsWith("@")),
    [],
    "no set ssl cert or commit ssl cert for the stopping worker",
  );
  assert.equal(await readFile(path, "utf8"), "the new PEM\n", "the next start loads the file written");
  assert.match(await readFile(paths.crtList, "utf8"), /meta-a\.pem\n$/);
  assert.equal(reloads, 0);
});
