// The first start keeps HAProxy's stderr lines for its failure message (describeStartFailure); the master
// it starts keeps that stderr pipe for the reloader's whole life (reloads re-execute it in place), so
// its lines stop being kept once the start is decided (found by a review: every stderr line the first
// master and its workers wrote, each reload's notices and warnings included, stayed in memory until the
// reloader exited). A fixture starts the real HAProxy and, once it serves, writes 60 MB of stderr lines.
import assert from "node:assert/strict";
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { freePort, waitFor } from "../../test-support/src/haproxy/index.ts";
import { HaproxySupervisor } from "../src/haproxy/haproxy-supervisor.ts";
import {
  generationName,
  stateLayout,
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
} from "../src/output/snapshot-layout.ts";
import { pointCurrent } from "../src/output/stage-snapshot.ts";
import { quietSupervisorOptions } from "./helpers/quiet-supervisor-options.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("the first master's stderr after its start is forwarded, not kept", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-start-stderr-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const layout = stateLayout(join(dir, "state"));
  const snapshot = join(layout.dir, generationName(1));
  await mkdir(snapshot, { recursive: true });
  const port = await freePort();
  await writeFile(
    join(snapshot, SNAPSHOT_BASE),
    `global\n    maxconn 100\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n`,
  );
  await writeFile(join(snapshot, SNAPSHOT_BACKENDS), "");
  await pointCurrent(layout, 1);
  // Once the master serves (its socket answers), 100 000 lines of 600 bytes on its stderr, then `done`.
  const done = join(dir, "done");
  const bin = join(dir, "noisy-haproxy");
  await writeFile(
    bin,
    `#!/bin/bash
( while [[ ! -S ${layout.masterSocket} ]]; do sleep 0.1; done; sleep 1
  head -c 60000000 /dev/zero | tr '\\0' 'x' | fold -w 600 >&2; : > ${done} ) &
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  const supervisor = new HaproxySupervisor(quietSupervisorOptions(bin, layout));
  t.after(() => supervisor.stop(5000));
  await supervisor.start();
  gc();
  const before = process.memoryUsage().heapUsed;
  await waitFor(
    () =>
      access(done).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 60_000, message: "the stderr lines written" },
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // the pipe's last lines read
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 20e6, `the heap grew by ${Math.round(grown / 1e6)} MB after 60 MB of stderr`);
});
