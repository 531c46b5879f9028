// A reloader killed between spawning an HAProxy master and writing its pid file left that master still
// parsing its config, its master CLI silent; the next reloader found no pid file naming it and started a
// second master on the same ports. findRunningMaster now looks in /proc for a master of ours (run on the
// state dir's master socket) that the pid file does not name, waits for it like a master busy reloading,
// and adopts it. A wrapper stands in for a slow parse: it sleeps 2 s before the real HAProxy takes over.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { freePort } from "../../test-support/src/haproxy/index.ts";
import { findRunningMaster } from "../src/adopt/find-running-master.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";

test("a silent master of ours that the pid file does not name is waited for and adopted, not doubled", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-unnamed-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const layout = stateLayout(join(dir, "state"));
  await mkdir(layout.dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, "haproxy.cfg");
  await writeFile(
    config,
    `global\n  maxconn 100\ndefaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:${port}\n`,
  );
  // bash under a name holding "haproxy", as a master shows in /proc while it parses.
  const shell = join(dir, "haproxy-sh");
  await symlink("/bin/bash", shell);
  const bin = join(dir, "slow-haproxy");
  await writeFile(bin, `#!${shell}\nsleep 2\nexec -a "$0" /usr/sbin/haproxy "$@"\n`);
  await chmod(bin, 0o755);
  const master = spawn(bin, ["-W", "-S", `${layout.masterSocket},mode,600`, "-f", config], {
    stdio: "ignore",
    detached: true,
  });
  t.after(() => {
    try {
      process.kill(-(master.pid ?? 0), "SIGKILL");
    } catch {
      // gone
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the wrapper runs, no pid file written
  const logger = createLogger({ name: "test", level: "silent", format: "json" });
  const found = await findRunningMaster(layout, 5000, logger, undefined, 200);
  assert.equal(found.kind, "running", "adopted once its CLI answers, instead of starting a second one");
  assert.equal(found.kind === "running" ? found.pid : null, master.pid);
});
