// A first start whose inputs pass the contract but fail haproxy -c, with no last good snapshot, starts
// from the base config with empty routing. When the inputs name a stack after a section of the --config
// (`backend legacy`), their read left that backend out and said so (inputs.section-clash); until
// 2026-12-05 the empty routing was validated as inputs too, so the same start logged
// inputs.section-clash-cleared ("no generated backend has the name of a section of the base config any
// more") while the files still named legacy, /healthz lost the warning, and the next write still naming
// legacy logged the clash a second time. The check failure is simulated by a wrapper that fails
// `haproxy -c` for files holding `backend blog` (as adopt-check-environment.test.ts fails it for a DNS
// outage) and runs the real HAProxy otherwise.
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { chooseStartSnapshot } from "../src/reload/choose-start-snapshot.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { LEGACY_SECTION, userConfigLines, withFallback } from "./helpers/user-config.ts";

test("a start on empty routing keeps the inputs' section clash reported: no cleared line, no second warning", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-empty-clash-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bin = join(dir, "blog-fails-haproxy");
  await writeFile(
    bin,
    `#!/bin/sh
case " $* " in *" -c "*)
  for file in "$@"; do
    if [ -f "$file" ] && grep -q '^backend blog$' "$file"; then
      echo "[ALERT]    (1) : config : parsing [$file:1] : backend blog fails (simulated)." >&2
      exit 1
    fi
  done;;
esac
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  const stateDir = join(dir, "state");
  await mkdir(stateDir, { recursive: true });
  const lines = userConfigLines(8080, [], withFallback(LEGACY_SECTION));
  const line = lines.indexOf("backend legacy") + 1;
  const base = Buffer.from(lines.join("\n"));
  const { logger, events } = captureLog();
  const refused: string[][] = [];
  const store = new SnapshotStore(bin, stateLayout(stateDir), logger, 10, {
    onRefused: (backends) => refused.push(backends.map((entry) => entry.backend)),
  });
  const inputs = (names: readonly string[]) => ({
    base,
    backends: Buffer.from(
      renderTestBackends(
        names.map((name, index) => ({ name, servers: [{ address: `127.0.0.1:${8081 + index}` }] })),
      ),
    ),
    map: Buffer.from(renderTestMap(Object.fromEntries(names.map((name) => [`${name}.dev.tld`, name])))),
    hash: names.join(","),
  });
  const said = (event: string) => events().filter((entry) => entry["event"] === event);

  const start = await chooseStartSnapshot(store, inputs(["app", "blog", "legacy"]), base, logger);
  assert.equal(start.refused, "gen-1 failed haproxy -c");
  assert.equal(said("start.empty-routing").length, 1);
  assert.deepEqual(
    said("inputs.section-clash").map((entry) => entry["backends"]),
    [[{ backend: "legacy", section: "backend legacy", line }]],
  );
  assert.deepEqual(said("inputs.section-clash-cleared"), []);
  assert.deepEqual(refused.at(-1), ["legacy"], "/healthz and the metric still show legacy left out");

  // The next write, blog fixed, still names legacy: staged and checked, and the clash is not news.
  const next = await store.stageAndCheck(inputs(["app", "legacy"]));
  assert.ok(next.ok, "the next inputs pass");
  assert.deepEqual(
    next.table.backends.map((backend) => backend.name),
    ["app"],
  );
  assert.equal(said("inputs.section-clash").length, 1);
  assert.deepEqual(said("inputs.section-clash-cleared"), []);
  assert.deepEqual(refused.at(-1), ["legacy"]);
});
