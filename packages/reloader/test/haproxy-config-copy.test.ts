// HAPROXY_CONFIG only receives a masked copy of the rendered base config. Found by a review: set to
// `<state>/haproxy.cfg` (the file HAProxy loads), the copy replaced it, so HAProxy loaded the masked
// text (the stats password masked); set to a generated input, the copy replaced that file; set inside
// the private state dir, a 0644 file went there. Such a value is now refused at start, nothing written.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { prepareBaseConfig } from "../src/setup/prepare-base-config.ts";
import { StartupError } from "../src/startup-error.ts";
import { captureLog } from "./helpers/capture-log.ts";

const PASSWORD = "s3cret-Pa55word";

// Prepares the base config with HAPROXY_CONFIG at `copy(dir)`; the inputs are <dir>/volume/*.
async function prepareWith(dir: string, copy: string): Promise<void> {
  const stateDir = join(dir, "state");
  await mkdir(stateDir, { recursive: true });
  const options = resolveOptions(
    {},
    {
      HAPROXY_CONFIG: copy,
      RELOADER_STATE_DIR: stateDir,
      HAPROXY_DOMAIN_MAP: join(dir, "volume", "domain.map"),
      HAPROXY_BACKEND_CONFIG: join(dir, "volume", "haproxy-backends.cfg"),
      ENABLE_STATS: "true",
      STATS_PASSWORD: PASSWORD,
    },
  );
  const { logger } = captureLog();
  await prepareBaseConfig(options, { kind: "stdout" } as never, null, stateLayout(stateDir), logger);
}

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-copy-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "volume"));
  await writeFile(join(dir, "volume", "domain.map"), "example.com web\n");
  await writeFile(join(dir, "volume", "haproxy-backends.cfg"), "");
  await symlink(join(dir, "state"), join(dir, "link"));
  return dir;
}

const refused: [string, (dir: string) => string][] = [
  ["the base config HAProxy loads", (dir) => join(dir, "state", "haproxy.cfg")],
  ["a file in the state dir", (dir) => join(dir, "state", "etc", "reference.cfg")],
  ["the state dir's base config through a symlink", (dir) => join(dir, "link", "haproxy.cfg")],
  ["the domain map", (dir) => join(dir, "volume", "domain.map")],
  ["the generated backends", (dir) => join(dir, "volume", "haproxy-backends.cfg")],
];

for (const [what, copy] of refused)
  test(`HAPROXY_CONFIG at ${what} is refused, nothing written`, async (t) => {
    const dir = await scratch(t);
    await assert.rejects(
      prepareWith(dir, copy(dir)),
      (error: unknown) =>
        error instanceof StartupError && error.message.includes(`HAPROXY_CONFIG=${copy(dir)}`),
    );
    assert.equal(await readFile(join(dir, "volume", "domain.map"), "utf8"), "example.com web\n");
    assert.equal(await readFile(join(dir, "volume", "haproxy-backends.cfg"), "utf8"), "");
    const base = await readFile(join(dir, "state", "haproxy.cfg"), "utf8").catch(() => "");
    assert.ok(!base.includes("A copy for reference"), "the loaded base config is not the masked copy");
  });

test("HAPROXY_CONFIG beside the inputs (the volume) gets the masked copy; HAProxy's config keeps the password", async (t) => {
  const dir = await scratch(t);
  await prepareWith(dir, join(dir, "volume", "haproxy.cfg"));
  const copied = await readFile(join(dir, "volume", "haproxy.cfg"), "utf8");
  assert.match(copied, /A copy for reference/);
  assert.ok(!copied.includes(PASSWORD));
  assert.ok((await readFile(join(dir, "state", "haproxy.cfg"), "utf8")).includes(PASSWORD));
});
