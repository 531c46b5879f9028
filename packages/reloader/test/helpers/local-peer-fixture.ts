import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFixture, type Fixture } from "./fixture.ts";
import { userConfigLines, withFallback } from "./user-config.ts";

// A fixture (not started) on `files` whose reloader runs in a UTS namespace of its own named `legacy`
// (the suite runs as root), and its --config (`userConfig`) written with a section named after the host,
// `listen "$HAPROXY_LOCALPEER"`, at `line`: the host-name tests of the section clash.
export async function localPeerFixture(
  t: { after: (fn: () => unknown) => void },
  files: { backends: string; map: string },
): Promise<{ fixture: Fixture; userConfig: string; line: number }> {
  const fixture = await createFixture((fn) => t.after(fn), {
    ...files,
    deferStart: true,
    wrap: ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', "legacy"],
  });
  const userConfig = join(fixture.dir, "my-haproxy.cfg");
  const lines = userConfigLines(
    fixture.httpPort,
    [],
    withFallback([
      'listen "$HAPROXY_LOCALPEER"',
      '    http-request return status 200 content-type text/plain string "my host"',
    ]),
  );
  await writeFile(userConfig, lines.join("\n"));
  return { fixture, userConfig, line: lines.indexOf('listen "$HAPROXY_LOCALPEER"') + 1 };
}

// Renames the UTS namespace the reloader (pid `pid`, its node: the wrap execs it) runs in.
export function setHostName(pid: number, name: string): void {
  const run = spawnSync("nsenter", ["--uts", `--target=${pid}`, "hostname", name], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
}
