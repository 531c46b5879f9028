// The snapshot `current` names is removed by hand while HAProxy runs it (the state dir is the
// reloader's, but an operator or a cleaner may reach it): the next pass (the rescan) finds `current`
// naming nothing, says so (`snapshot.current-missing`) and stages the unchanged inputs again, so an
// HAProxy that dies afterwards is restarted from them (found by a review: the unchanged inputs were
// never staged again, /healthz said "gen-1 cannot be read" for as long as the files stayed the same, and
// each restart of a killed master exited 1 until the supervisor gave up, with nothing serving).
import assert from "node:assert/strict";
import { access, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

const onDisk = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

for (const lost of ["the snapshot", "the link"] as const)
  test(`${lost} \`current\` names removed by hand: the inputs are staged again`, async (t) => {
    const { fixture } = await appFixture(t, ["127.0.88.11", "127.0.88.12"], {
      args: ["--rescan-interval", "1s"],
    });
    const reloader = fixture.reloader;
    await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
    const current = join(fixture.stateDir, "current");
    const running = await readlink(current);
    const from = reloader.logs.length;
    await rm(lost === "the snapshot" ? join(fixture.stateDir, running) : current, { recursive: true });

    const missing = await reloader.waitForEvent("snapshot.current-missing", { from, timeoutMs: 10_000 });
    assert.equal(missing["generation"], lost === "the snapshot" ? Number(running.slice(4)) : null);
    await waitFor(() => onDisk(join(current, "haproxy.cfg")), {
      timeoutMs: 10_000,
      message: "`current` names a snapshot again",
    });
    assert.notEqual(await readlink(current), running);

    // A master that dies now is restarted from it.
    const masterPid = Number(reloader.logs.find((line) => line.event === "haproxy.ready")?.["pid"]);
    const killed = reloader.logs.length;
    process.kill(masterPid, "SIGKILL");
    await reloader.waitForEvent("haproxy.ready", { from: killed, timeoutMs: 15_000 });
    await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "served again" });
  });
