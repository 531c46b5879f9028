// What HAProxy knows of itself while it parses a --config, read at start, with --config only: the
// binary's build (`haproxy -vv`: its version and feature list, for `.if feature(...)` and
// `version_*(...)`, and HAPROXY_STARTUP_VERSION), read once, and the host name (HAPROXY_LOCALPEER, which
// HAProxy sets from gethostname() at each parse, its bytes cut to 63 as HAProxy cuts them), read again at
// each change's validation (reload/followed-self.ts). A build that cannot be read is logged and left
// unknown: what depends on it then counts as before.
import type { Logger } from "@rancher-haproxy/core";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { readHaproxyBuild } from "../sources/read-haproxy-build.js";
import { readHostName } from "../sources/read-host-name.js";

// What `--haproxy-bin` (the binary `haproxy -c` and the master run) says of itself; never throws. Read
// only with a --config (main.ts; NOTHING_KNOWN without one).
export async function readHaproxySelf(options: ReloaderOptions, logger: Logger): Promise<HaproxySelf> {
  const bin = options.haproxyBin;
  const read = await readHaproxyBuild(bin);
  if (read.ok) {
    logger.debug({ event: "haproxy.build", version: read.build.version }, "HAProxy build read");
    return { build: read.build, hostname: hostName() };
  }
  logger.warn(
    { event: "haproxy.build-unread", bin, reason: read.reason },
    `${bin} -vv could not be read (${read.reason}): a --config's .if feature(...), version_atleast(...) and version_before(...) are not evaluated, and the sections under them count`,
  );
  return { build: null, hostname: hostName() };
}

// What is known of HAProxy without a --config: nothing, and nothing is asked (the rendered base config has
// no `.if` nor section a generated backend could clash with, so a start without one runs no more than
// before: a test's stand-in binary takes its first call other than `-c` for the master's start).
export const NOTHING_KNOWN: HaproxySelf = { build: null, hostname: null };

// The host name as HAProxy takes it now (sources/read-host-name.ts), or null when the system gives none.
function hostName(): string | null {
  const read = readHostName();
  return read.ok ? read.name : null;
}
