// Found by a review: the start made the shared files' directory and the files in it (empty, so HAProxy
// can start and answer 503 until generate-maps writes them) and threw when it could not: the inputs'
// directory a regular file or a dangling symlink (the volume is untrusted) ended the start, and a
// reloader started again to adopt a running HAProxy stopped that HAProxy (a start that fails stops the
// master no reloader supervises): the last good routing went down. The files are now read as they are
// (refused and reported by the first pass), and the master is adopted and keeps serving.
import assert from "node:assert/strict";
import { rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";

for (const [what, hosts, breakDir] of [
  ["a regular file", ["127.0.0.91", "127.0.0.92"], (dir: string) => writeFile(dir, "not a directory\n")],
  ["a dangling symlink", ["127.0.0.93", "127.0.0.94"], (dir: string) => symlink(`${dir}.nowhere`, dir)],
] as const)
  test(`a reloader started again while the inputs' directory is ${what} adopts HAProxy, which keeps serving`, async (t) => {
    const { fixture, app, other } = await appFixture(t, hosts, {}, "web");
    const first = fixture.reloader;
    const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
    t.after(() => killIfHaproxy(masterPid));
    await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
    process.kill(first.pid, "SIGKILL");
    await first.exited;

    const etc = join(fixture.dir, "etc");
    await rename(etc, `${etc}.saved`);
    await breakDir(etc);
    const second = await fixture.start();
    assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
    assert.ok(
      second.logs.some((line) => line.event === "inputs.unreadable" || line.event === "inputs.missing"),
      "the unusable inputs are reported",
    );
    assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted HAProxy still serves app");

    // The directory back, then a change: applied.
    await rm(etc, { force: true });
    await rename(`${etc}.saved`, etc);
    await fixture.write(appAndWebFiles(app.address, other.address));
    await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 15_000, message: "web routed" });
  });
